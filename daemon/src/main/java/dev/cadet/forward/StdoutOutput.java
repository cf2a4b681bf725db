package dev.cadet.forward;

import dev.cadet.alert.Alert;
import dev.cadet.alert.AlertJson;
import dev.cadet.forward.cef.CefEncoder;
import java.io.IOException;
import java.io.PrintStream;

/** Writes one line per alert to a stream (stdout): the alert JSON line or a bare CEF line. */
public final class StdoutOutput implements Output {

    /** What each line holds. */
    public enum Format { JSON, CEF }

    private final String name;
    private final PrintStream out;
    private final Format format;
    private final CefEncoder encoder;

    public StdoutOutput(String name, PrintStream out, Format format, CefEncoder encoder) {
        this.name = name;
        this.out = out;
        this.format = format;
        this.encoder = encoder;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(Alert alert) throws IOException {
        out.print((format == Format.JSON ? AlertJson.toJson(alert) : encoder.encode(alert)) + "\n");
        if (out.checkError()) {
            throw new IOException("output " + name + ": cannot write to stdout");
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
        if (out.checkError()) {
            throw new IOException("output " + name + ": cannot write to stdout");
        }
    }

    /** Leaves stdout open: it is not ours. */
    @Override
    public void close() {
        out.flush();
    }
}
