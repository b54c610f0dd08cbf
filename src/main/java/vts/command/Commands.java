package vts.command;

/** Registers every TS.* handler with the bridge. */
public final class Commands {
    private Commands() {}

    public static void registerAll() {
        vts.series.Foreign.install();
        SeriesCommands.register();
        RuleCommands.register();
        MultiCommands.register();
        DebugCommand.register();
        NRangeCommand.register();
        ReadCommand.register();
    }
}
