package vts.command;

/** Registers every TS.* handler with the bridge. */
public final class Commands {
    private Commands() {}

    public static void registerAll() {
        SeriesCommands.register();
        RuleCommands.register();
        MultiCommands.register();
        DebugCommand.register();
        ReadCommand.register();
    }
}
