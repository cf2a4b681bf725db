package dev.cadet;

/** Entry point of the {@code cadet} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("cadet: not yet wired");
    }
}
