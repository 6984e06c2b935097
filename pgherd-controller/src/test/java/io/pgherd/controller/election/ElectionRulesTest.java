package io.pgherd.controller.election;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pgherd.controller.election.ElectionDecision.Action;

/**
 * Every rule of the controllers' election as a table row. This controller is {@code c1}; an empty cell
 * means absent (no key, no epoch, no fence).
 */
class ElectionRulesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                   | reachable | alive | acting | epoch | mine | action      | sentence
            no controller: take the key              | true      | true  |        |       |      | ACQUIRE     | no controller acts: taking the controller key
            no controller after an earlier one       | true      | true  |        | 7     |      | ACQUIRE     | no controller acts: taking the controller key
            this one acts with the current epoch     | true      | true  | c1     | 7     | 7    | ACT         | acting as controller (epoch 7)
            another acts: stand by                   | true      | true  | c2     | 9     |      | STAND_BY    | controller c2 acts (epoch 9): standing by
            own key of an earlier session            | true      | true  | c1     | 5     |      | STAND_BY    | the controller key names this controller from an earlier session (epoch 5): waiting for it to expire
            another took over: step down             | true      | true  | c2     | 9     | 7    | STEP_DOWN   | the controller epoch is no longer 7 (epoch 9, controller c2 holds the key): stepping down
            same name, newer epoch: step down        | true      | true  | c1     | 9     | 7    | STEP_DOWN   | the controller epoch is no longer 7 (epoch 9, controller c1 holds the key): stepping down
            own key gone, epoch unchanged            | true      | true  |        | 7     | 7    | STEP_DOWN   | the controller epoch is no longer 7 (epoch 7, no controller holds the key): stepping down
            session lost while acting                | true      | false | c1     | 7     | 7    | NEW_SESSION | the DCS session was lost: stepping down as controller (epoch 7) and opening a new session
            session lost while standing by           | true      | false | c2     | 9     |      | NEW_SESSION | the DCS session was lost: opening a new session
            lost session outranks an unreachable DCS | false     | false |        |       | 7    | NEW_SESSION | the DCS session was lost: stepping down as controller (epoch 7) and opening a new session
            DCS unreachable while acting             | false     | true  |        |       | 7    | STAND_BY    | the DCS cannot be reached: acting on nothing until it answers (writes are fenced by epoch 7)
            DCS unreachable while standing by        | false     | true  |        |       |      | STAND_BY    | the DCS cannot be reached: waiting until it answers
            """)
    void decides(String name, boolean reachable, boolean alive, String acting, Long epoch, Long mine, Action action, String sentence) {
        ElectionState state = new ElectionState(reachable, alive, Optional.ofNullable(acting),
                epoch == null ? OptionalLong.empty() : OptionalLong.of(epoch), mine == null ? OptionalLong.empty() : OptionalLong.of(mine));

        ElectionDecision decision = ElectionRules.decide(state, "c1");

        assertThat(decision.action()).isEqualTo(action);
        assertThat(decision.sentence()).isEqualTo(sentence);
    }
}
