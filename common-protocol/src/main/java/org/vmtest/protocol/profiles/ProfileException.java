package org.vmtest.protocol.profiles;

/** A profile file that cannot be used, with the place of the mistake. */
public final class ProfileException extends Exception {
    private final String file;
    private final int line;
    private final int column;

    public ProfileException(String file, int line, int column, String problem) {
        super(file + (line > 0 ? ":" + line + ":" + column : "") + ": " + problem);
        this.file = file;
        this.line = line;
        this.column = column;
    }

    public String file() {
        return file;
    }

    /** 1-based line of the mistake, or 0 when the file as a whole is wrong. */
    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
