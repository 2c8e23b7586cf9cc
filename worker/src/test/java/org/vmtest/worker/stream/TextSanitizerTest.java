package org.vmtest.worker.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextSanitizerTest {

    private static String clean(String s) {
        return TextSanitizer.sanitize(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String cleanUtf8(String s) {
        return TextSanitizer.sanitize(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void plainTextPassesUnchanged() {
        assertThat(cleanUtf8("vmtest-install: [ 50%] copying base system")).isEqualTo("vmtest-install: [ 50%] copying base system");
    }

    @Test
    void validMultiByteUtf8IsKept() {
        assertThat(cleanUtf8("größe → 日本語 🚀")).isEqualTo("größe → 日本語 🚀");
    }

    @Test
    void malformedUtf8BecomesReplacementCharacters() {
        String out = clean("invalid \u00ff\u00fe end");
        assertThat(out).isEqualTo("invalid \uFFFD\uFFFD end");
    }

    @Test
    void overlongAndSurrogateEncodingsAreReplaced() {
        String out = clean("a \u00c0\u0080 b \u00ed\u00a0\u0080 c");
        assertThat(out).startsWith("a ").endsWith(" c").doesNotContain("\u0000").contains("\uFFFD");
        assertThat(out.chars().filter(c -> Character.isSurrogate((char) c))).isEmpty();
    }

    @Test
    void colourSequencesAreRemoved() {
        assertThat(clean("\u001b[1;31mred bold\u001b[0m \u001b[32mgreen\u001b[0m \u001b[44;97mwhite on blue\u001b[0m"))
                .isEqualTo("red bold green white on blue");
    }

    @Test
    void cursorMovementAndPrivateModesAreRemoved() {
        assertThat(clean("\u001b[2J\u001b[Hcleared\u001b[5;10H(row 5)\u001b[3A\u001b[12D\u001b[K\u001b[?25lhidden\u001b[?25h"))
                .isEqualTo("cleared(row 5)hidden");
    }

    @Test
    void oscTitleSequencesAreRemovedWithBelOrStTerminator() {
        assertThat(clean("\u001b]0;window title\u0007text\u001b]2;other\u001b\\ more")).isEqualTo("text more");
    }

    @Test
    void twoCharacterEscapesAreRemoved() {
        assertThat(clean("a\u001bcb\u001b(Bc\u001b=d")).isEqualTo("abcd");
    }

    @Test
    void controlCharactersAreRemovedButTabIsKept() {
        assertThat(clean("tab\there nul\u0000after bell\u0007 del\u007f bs\u0008")).isEqualTo("tab\there nulafter bell del bs");
        assertThat(cleanUtf8("c1\u0085 controls")).isEqualTo("c1 controls");
    }

    @Test
    void trailingCarriageReturnsAndNewlinesAreDropped() {
        assertThat(clean("kernel line\r\r\n")).isEqualTo("kernel line");
    }

    @Test
    void carriageReturnInsideALineKeepsBothPartsApart() {
        assertThat(clean("progress 10%\rprogress 99%")).isEqualTo("progress 10% progress 99%");
    }

    @Test
    void anEscapeCutAtTheEndOfTheLineLeavesNoDebris() {
        assertThat(clean("text\u001b[1;3")).isEqualTo("text");
        assertThat(clean("text\u001b")).isEqualTo("text");
    }

    @Test
    void c1ControlSequenceIntroducerIsHandledLikeEscBracket() {
        assertThat(cleanUtf8("a\u009b31mb")).isEqualTo("ab");
    }

    @Test
    void randomBytesNeverYieldControlCharactersOrLongerText() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            String out = TextSanitizer.sanitize(bytes);
            assertThat(out.length()).isLessThanOrEqualTo(bytes.length);
            assertThat(out.chars().filter(c -> c != '\t' && (c < 0x20 || (c >= 0x7f && c <= 0x9f)))).isEmpty();
            assertThat(StandardCharsets.UTF_8.newEncoder().canEncode(out)).isTrue();
        }
    }
}
