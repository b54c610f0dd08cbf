package vts.cluster;

/** Hash slots as the cluster computes them: CRC16 (XMODEM) of the key or of its {hash tag}, mod 16384. */
public final class Slots {
    private Slots() {}

    public static final int COUNT = 16384;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i << 8;
            for (int b = 0; b < 8; b++) c = (c & 0x8000) != 0 ? (c << 1) ^ 0x1021 : c << 1;
            TABLE[i] = c & 0xffff;
        }
    }

    /** The slot of key: only the part between the first '{' and the next '}' counts, when that part is not empty. */
    public static int of(byte[] key) {
        int from = 0, to = key.length;
        for (int i = 0; i < key.length; i++) {
            if (key[i] == '{') {
                for (int j = i + 1; j < key.length; j++) {
                    if (key[j] == '}') {
                        if (j > i + 1) {
                            from = i + 1;
                            to = j;
                        }
                        break;
                    }
                }
                break;
            }
        }
        int crc = 0;
        for (int i = from; i < to; i++) crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ key[i]) & 0xff]) & 0xffff;
        return crc & (COUNT - 1);
    }
}
