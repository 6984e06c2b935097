package io.pgherd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** RFC 7396's examples (its appendix A), and that neither argument is changed. */
class JsonMergePatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', value = {
            "{\"a\":\"b\"}                  | {\"a\":\"c\"}               | {\"a\":\"c\"}",
            "{\"a\":\"b\"}                  | {\"b\":\"c\"}               | {\"a\":\"b\",\"b\":\"c\"}",
            "{\"a\":\"b\"}                  | {\"a\":null}                | {}",
            "{\"a\":\"b\",\"b\":\"c\"}      | {\"a\":null}                | {\"b\":\"c\"}",
            "{\"a\":[\"b\"]}                | {\"a\":\"c\"}               | {\"a\":\"c\"}",
            "{\"a\":\"c\"}                  | {\"a\":[\"b\"]}             | {\"a\":[\"b\"]}",
            "{\"a\":{\"b\":\"c\"}}          | {\"a\":{\"b\":\"d\",\"c\":null}} | {\"a\":{\"b\":\"d\"}}",
            "{\"a\":[{\"b\":\"c\"}]}        | {\"a\":[1]}                 | {\"a\":[1]}",
            "[\"a\",\"b\"]                  | [\"c\",\"d\"]               | [\"c\",\"d\"]",
            "{\"a\":\"b\"}                  | [\"c\"]                     | [\"c\"]",
            "{\"a\":\"foo\"}                | null                        | null",
            "{\"a\":\"foo\"}                | \"bar\"                     | \"bar\"",
            "{\"e\":null}                   | {\"a\":1}                   | {\"e\":null,\"a\":1}",
            "[1,2]                          | {\"a\":\"b\",\"c\":null}    | {\"a\":\"b\"}",
            "{}                             | {\"a\":{\"bb\":{\"ccc\":null}}} | {\"a\":{\"bb\":{}}}"
    })
    void rfc7396Examples(String target, String patch, String result) throws Exception {
        JsonNode t = JSON.readTree(target);
        JsonNode p = JSON.readTree(patch);
        String targetBefore = t.toString();
        String patchBefore = p.toString();

        assertThat(JsonMergePatch.apply(t, p)).isEqualTo(JSON.readTree(result));
        assertThat(t.toString()).as("the target is not changed").isEqualTo(targetBefore);
        assertThat(p.toString()).as("the patch is not changed").isEqualTo(patchBefore);
    }

    @Test
    void aMissingTargetIsAnEmptyObject() throws Exception {
        assertThat(JsonMergePatch.apply(null, JSON.readTree("{\"ttl\":20,\"x\":null}"))).isEqualTo(JSON.readTree("{\"ttl\":20}"));
    }
}
