package vts.command;

import vts.bridge.Bridge;
import vts.bridge.Reply;

/** Registers every TS.* handler with the bridge. */
public final class Commands {
    private Commands() {}

    public static void registerAll() {
        for (String name : new String[] {"TS.CREATE", "TS.ALTER", "TS.ADD", "TS.MADD", "TS.INCRBY", "TS.DECRBY",
                "TS.DEL", "TS.GET", "TS.INFO", "TS.RANGE", "TS.REVRANGE"}) {
            Bridge.register(name, (ctx, a) -> Reply.error(ctx, "ERR TSDB: " + name + " is being built"));
        }
    }
}
