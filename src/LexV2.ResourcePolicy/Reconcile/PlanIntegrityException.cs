namespace LexV2.ResourcePolicy.Reconcile;

/// <summary>
/// A saved plan whose content does not match the SHA-256 it carries (it was edited after it was made, or its hash was removed),
/// or whose hash is not the one a reviewer was shown. Such a plan is never applied: make and review a new one.
/// </summary>
public sealed class PlanIntegrityException : Exception
{
    /// <summary>Creates the exception for a plan whose content does not match its recorded hash.</summary>
    /// <param name="source">The file (or other source) the plan came from; <see langword="null"/> when unknown.</param>
    /// <param name="recordedSha256">The hash the plan carries; <see langword="null"/> when it carries none.</param>
    /// <param name="actualSha256">The hash of its content.</param>
    public PlanIntegrityException(string? source, string? recordedSha256, string actualSha256)
        : base(BuildMessage(source, recordedSha256, actualSha256))
    {
        RecordedSha256 = recordedSha256;
        ActualSha256 = actualSha256;
    }

    /// <summary>Creates the exception with a message of the caller's (for example: the hash is not the one that was reviewed).</summary>
    /// <param name="message">What is wrong and what to do.</param>
    public PlanIntegrityException(string message)
        : base(message)
    {
        ActualSha256 = string.Empty;
    }

    /// <summary>The hash the plan carries; <see langword="null"/> when it carries none.</summary>
    public string? RecordedSha256 { get; }

    /// <summary>The hash of the plan's content.</summary>
    public string ActualSha256 { get; }

    private static string BuildMessage(string? source, string? recorded, string actual) =>
        (source is null ? "The plan" : $"The plan {source}") +
        (recorded is null
            ? " carries no sha256, so it cannot be shown to be the plan that was made and reviewed"
            : $" was changed after it was made: its content has SHA-256 {actual}, not the {recorded} it carries") +
        "; it is not applied. Make and review a new plan.";
}
