package io.pgherd.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EditDistanceTest {

    @ParameterizedTest
    @CsvSource({
            "list, list, 0",
            "lsit, list, 1",            // a transposition is one edit
            "shared_bufers, shared_buffers, 1",
            "up, down, 4",
            "'', abc, 3",
            "abc, '', 3",
            "ca, abc, 3",               // optimal string alignment: no substring edited twice
            "kitten, sitting, 3",
            "list, lists, 1",
            "list, lost, 1",
            "lsit, reinit, 4",
            "abcd, badc, 2",
            "work_meme, work_mem, 1",
    })
    void countsEdits(String a, String b, int edits) {
        assertThat(EditDistance.between(a, b)).isEqualTo(edits);
        assertThat(EditDistance.between(b, a)).isEqualTo(edits);
    }
}
