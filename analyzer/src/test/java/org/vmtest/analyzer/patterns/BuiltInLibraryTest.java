package org.vmtest.analyzer.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.vmtest.protocol.Category;

class BuiltInLibraryTest {
    @Test
    void builtInLibraryLoadsAndIsBroad() {
        PatternLibrary lib = PatternLibrary.builtIn();
        System.out.println("built-in library: " + lib.size() + " patterns " + lib.sizeByCategory());
        assertThat(lib.size()).isGreaterThanOrEqualTo(150);
        assertThat(lib.sizeByCategory().get(Category.CRITICAL)).isGreaterThan(20);
    }
}
