package org.vmtest.worker.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.stream.Line;

class LineAssemblerTest {
    record Part(String text, boolean continued) {
    }

    private final List<Part> parts = new ArrayList<>();

    private LineAssembler assembler(int max) {
        return new LineAssembler((b, len, cont) -> parts.add(new Part(new String(b, 0, len, StandardCharsets.UTF_8), cont)), max);
    }

    private static void feed(LineAssembler a, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        a.feed(b, 0, b.length);
    }

    @Test
    void linesAreCutAtNewlinesWhateverTheChunking() {
        LineAssembler a = assembler(1024);
        feed(a, "first li");
        feed(a, "ne\nsecond\nthi");
        assertThat(parts).containsExactly(new Part("first line", false), new Part("second", false));
        feed(a, "rd\n");
        assertThat(parts).hasSize(3).last().isEqualTo(new Part("third", false));
    }

    @Test
    void anUnterminatedLastLineIsHandedOnAtFinish() {
        LineAssembler a = assembler(1024);
        feed(a, "no newline");
        assertThat(parts).isEmpty();
        a.finish();
        assertThat(parts).containsExactly(new Part("no newline", false));
    }

    @Test
    void emptyLinesAreKept() {
        LineAssembler a = assembler(1024);
        feed(a, "\n\n");
        assertThat(parts).containsExactly(new Part("", false), new Part("", false));
    }

    @Test
    void aLongLineIsSplitIntoContinuedPartsAndAFinalOne() {
        LineAssembler a = assembler(10);
        feed(a, "0123456789abcdefghijXYZ\n");
        assertThat(parts).containsExactly(new Part("0123456789", true), new Part("abcdefghij", true), new Part("XYZ", false));
    }

    @Test
    void aLineOfExactlyTheLimitIsOnePart() {
        LineAssembler a = assembler(10);
        feed(a, "0123456789\n");
        assertThat(parts).containsExactly(new Part("0123456789", false));
    }

    @Test
    void partsNeverSplitAMultiByteCharacter() {
        LineAssembler a = assembler(10);
        feed(a, "aaaaaaaa€€€\n");
        assertThat(parts).extracting(Part::text).containsExactly("aaaaaaaa", "€€€");
        assertThat(String.join("", parts.stream().map(Part::text).toList())).isEqualTo("aaaaaaaa€€€");
    }

    @Test
    void aMegabyteLineBecomesPartsThatEachFitInALine() {
        LineAssembler a = new LineAssembler((b, len, cont) -> parts.add(new Part(TextSanitizer.sanitize(b, 0, len), cont)));
        byte[] mib = "x".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
        a.feed(mib, 0, mib.length);
        a.feed(new byte[] {'\n'}, 0, 1);
        assertThat(parts).allSatisfy(p -> assertThat(p.text().length()).isLessThanOrEqualTo(Line.MAX_TEXT_CHARS));
        assertThat(parts.stream().mapToInt(p -> p.text().length()).sum()).isEqualTo(1 << 20);
        assertThat(parts.subList(0, parts.size() - 1)).allMatch(Part::continued);
        assertThat(parts.get(parts.size() - 1).continued()).isFalse();
    }

    @Test
    void utf8BoundaryBacksOffOnlyForAnIncompleteSequence() {
        byte[] euro = "ab€".getBytes(StandardCharsets.UTF_8);
        assertThat(LineAssembler.utf8Boundary(euro, 5)).isEqualTo(5);
        assertThat(LineAssembler.utf8Boundary(euro, 4)).isEqualTo(2);
        assertThat(LineAssembler.utf8Boundary(euro, 3)).isEqualTo(2);
        byte[] garbage = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80};
        assertThat(LineAssembler.utf8Boundary(garbage, 5)).isEqualTo(5);
    }
}
