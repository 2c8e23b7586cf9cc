package org.vmtest.cli.doctor;

/**
 * The outcome of one doctor check.
 *
 * @param fix what to do about it, empty when nothing needs doing
 */
public record Check(String name, Status status, String detail, String fix) {
    public enum Status {
        OK, WARN, FAIL;

        String label() {
            return switch (this) {
                case OK -> "[ok]  ";
                case WARN -> "[warn]";
                case FAIL -> "[FAIL]";
            };
        }
    }

    static Check ok(String name, String detail) {
        return new Check(name, Status.OK, detail, "");
    }

    static Check warn(String name, String detail, String fix) {
        return new Check(name, Status.WARN, detail, fix);
    }

    static Check fail(String name, String detail, String fix) {
        return new Check(name, Status.FAIL, detail, fix);
    }
}
