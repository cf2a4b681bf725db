package dev.cadet.detect.tuning;

import java.util.Arrays;

/**
 * An IP address or CIDR block, IPv4 or IPv6, parsed from text without any name lookup. An
 * IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) is compared as the IPv4 address it carries.
 */
public final class IpRange {
    private final String text;
    private final byte[] network;
    private final int prefix;

    private IpRange(String text, byte[] network, int prefix) {
        this.text = text;
        this.network = network;
        this.prefix = prefix;
    }

    /** @throws IllegalArgumentException if {@code text} is not an IP or CIDR */
    public static IpRange parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        byte[] address = address(slash < 0 ? t : t.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException("not an IP or CIDR: \"" + text + "\"");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("not an IP or CIDR: \"" + text + "\"");
            }
            prefix = Integer.parseInt(p);
        }
        return new IpRange(t, mask(address, prefix), prefix);
    }

    /** Whether the address is in the range; false for null or text that is not an IP literal. */
    public boolean contains(String ip) {
        if (ip == null) {
            return false;
        }
        byte[] a = address(ip.trim());
        return a != null && a.length == network.length && Arrays.equals(mask(a, prefix), network);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    /** 4 or 16 bytes, or null. */
    static byte[] address(String s) {
        if (s.indexOf(':') < 0) {
            return ipv4(s);
        }
        byte[] v6 = ipv6(s);
        if (v6 != null && isMappedV4(v6)) {
            return Arrays.copyOfRange(v6, 12, 16);
        }
        return v6;
    }

    private static boolean isMappedV4(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("0|[1-9]\\d{0,2}") || Integer.parseInt(parts[i]) > 255) {
                return null;
            }
            out[i] = (byte) Integer.parseInt(parts[i]);
        }
        return out;
    }

    private static byte[] ipv6(String s) {
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String head = gap >= 0 ? s.substring(0, gap) : s;
        String tail = gap >= 0 ? s.substring(gap + 2) : "";
        java.util.List<Integer> h = groups(head);
        java.util.List<Integer> t = groups(tail);
        if (h == null || t == null) {
            return null;
        }
        int total = h.size() + t.size();
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        byte[] out = new byte[16];
        int i = 0;
        for (int g : h) {
            out[i++] = (byte) (g >> 8);
            out[i++] = (byte) g;
        }
        i = 16 - t.size() * 2;
        for (int g : t) {
            out[i++] = (byte) (g >> 8);
            out[i++] = (byte) g;
        }
        return out;
    }

    /** 16-bit groups; a dotted IPv4 last part counts as two. Null if malformed. */
    private static java.util.List<Integer> groups(String s) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        if (s.isEmpty()) {
            return out;
        }
        String[] parts = s.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && p.indexOf('.') >= 0) {
                byte[] v4 = ipv4(p);
                if (v4 == null) {
                    return null;
                }
                out.add(((v4[0] & 0xff) << 8) | (v4[1] & 0xff));
                out.add(((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
            } else if (p.matches("[0-9A-Fa-f]{1,4}")) {
                out.add(Integer.parseInt(p, 16));
            } else {
                return null;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return text;
    }
}
