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

    public const string Help =
        "Exit codes:\n" +
        "  0  success (plan --detailed-exitcode: nothing to change)\n" +
        "  1  error: bad arguments or input file (nothing was sent), a failed call, a resource that failed to apply,\n" +
        "     apply PLAN refused for a resource after other resources were written, or (plan, apply --file) an access\n" +
        "     expectation that does not hold for the planned policies: no plan saved, nothing written\n" +
        "  2  plan --detailed-exitcode: changes are pending (drift); explain: the request is denied;\n" +
        "     check: an access expectation does not hold for the live policies\n" +
        "  3  lint: there are findings\n" +
        "  4  apply PLAN: refused, a resource's revision moved since the plan was made; nothing was written: plan again";
}

/// <summary>A problem with the user's input or environment, reported as one line and exit code 1.</summary>
internal sealed class ToolException(string message) : Exception(message);
