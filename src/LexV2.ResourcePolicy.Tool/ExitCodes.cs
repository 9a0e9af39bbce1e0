namespace LexV2.ResourcePolicy.Tool;

/// <summary>The process exit codes; listed in <c>--help</c> and the README.</summary>
internal static class ExitCodes
{
    /// <summary>Success; for <c>plan --detailed-exitcode</c>: nothing to change.</summary>
    public const int Success = 0;

    /// <summary>An error: invalid arguments or input file (nothing was sent), a failed call, a resource that failed to apply, a saved plan refused after other resources were written, or an access expectation that does not hold for a plan.</summary>
    public const int Error = 1;

    /// <summary><c>plan --detailed-exitcode</c>: changes are pending (drift).</summary>
    public const int ChangesPending = 2;

    /// <summary><c>explain</c>: the request is denied (implicitly or explicitly).</summary>
    public const int Denied = 2;

    /// <summary><c>check</c>: an access expectation does not hold for the live policies.</summary>
    public const int ExpectationFails = 2;

    /// <summary><c>lint</c>: the linter has findings.</summary>
    public const int LintFindings = 3;

    /// <summary><c>apply PLAN</c>: refused, a resource's revision moved since the plan was made; nothing was written. Plan again.</summary>
    public const int PlanStale = 4;

    /// <summary>
    /// <c>apply PLAN</c>: refused, the plan is not the reviewed one for this target: its content does not match its SHA-256 (edited
    /// after it was made), its hash is not <c>--expect-sha256</c>, or it was made against another endpoint, region or account.
    /// Nothing was sent; re-running will not help: make and review a new plan.
    /// </summary>
    public const int PlanRefused = 5;

    /// <summary>Stopped by SIGINT (Ctrl+C), after the writes in flight finished: 128 + 2, as shells report it.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM, after the writes in flight finished: 128 + 15.</summary>
    public const int Terminated = 143;

    public const string Help =
        "Exit codes:\n" +
        "  0    success (plan --detailed-exitcode: nothing to change)\n" +
        "  1    error: bad arguments or input file (nothing was sent), a failed call, a resource that failed to apply,\n" +
        "       apply PLAN refused for a resource after other resources were written, or (plan, apply --file) an access\n" +
        "       expectation that does not hold for the planned policies: no plan saved, nothing written\n" +
        "  2    plan --detailed-exitcode: changes are pending (drift); explain: the request is denied;\n" +
        "       check: an access expectation does not hold for the live policies\n" +
        "  3    lint: there are findings\n" +
        "  4    apply PLAN: refused, a resource's revision moved since the plan was made; nothing was written: plan again\n" +
        "  5    apply PLAN: refused, the plan was edited after it was made, is not --expect-sha256, or was made against\n" +
        "       another endpoint, region or account; nothing was sent: make and review a new plan\n" +
        "  130  stopped by SIGINT (143: SIGTERM): no new write was started, the ones in flight finished; the output says\n" +
        "       which resources were written";
}

/// <summary>A problem with the user's input or environment, reported as one line and exit code 1 (or <paramref name="exitCode"/>).</summary>
internal sealed class ToolException(string message, int exitCode = ExitCodes.Error) : Exception(message)
{
    /// <summary>The exit code to end with.</summary>
    public int ExitCode => exitCode;
}
