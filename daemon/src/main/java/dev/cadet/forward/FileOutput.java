package dev.cadet.forward;

import dev.cadet.alert.Alert;
import dev.cadet.alert.AlertJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends alert JSON lines to a file. {@link #flush()} writes them and, with {@code fsync}, forces them
 * to disk before the outbox marks them sent. The file is opened on first use and after an error, so a
 * rotated file (moved away) is followed by reopening at the configured path after {@link #close()}.
 */
public final class FileOutput implements Output {
    private final String name;
    private final Path path;
    private final boolean fsync;
    private final StringBuilder buffer = new StringBuilder();
    private FileChannel channel;

    public FileOutput(String name, Path path, boolean fsync) {
        this.name = name;
        this.path = path;
        this.fsync = fsync;
    }

    @Override
    public String name() {
        return name;
    }

    public Path path() {
        return path;
    }

    @Override
    public void send(Alert alert) {
        buffer.append(AlertJson.toJson(alert)).append('\n');
    }

    @Override
    public void flush() throws IOException {
        try {
            if (channel == null) {
                channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
            ByteBuffer bytes = ByteBuffer.wrap(buffer.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            buffer.setLength(0);
            if (fsync) {
                channel.force(false);
            }
        } catch (IOException e) {
            buffer.setLength(0); // the forwarder re-sends the whole batch
            close();
            throw new IOException("output " + name + ": cannot append to " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to save: flush() already reported write errors
            }
            channel = null;
        }
    }
}
