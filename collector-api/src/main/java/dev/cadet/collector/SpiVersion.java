package dev.cadet.collector;

/**
 * The SPI's version. A plugin compiled against another major version is refused at load, naming both
 * versions; minor versions only add methods with defaults.
 */
public final class SpiVersion {
    public static final int MAJOR = 1;
    public static final int MINOR = 1; // 1.1: FieldPath, RawView.get(FieldPath), FetchContext.sending()

    private SpiVersion() {
    }

    public static String text() {
        return MAJOR + "." + MINOR;
    }
}
