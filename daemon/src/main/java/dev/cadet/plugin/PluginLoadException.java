package dev.cadet.plugin;

/** A plugin cannot be used; the message says which one, where it is, and why. */
public class PluginLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    public PluginLoadException(String message) {
        super(message);
    }
}
