using System.Text.Json;
using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tool.Output;

/// <summary>
/// What <c>apply</c> prints: one line per resource as it completes, flushed at once, whatever standard output is (a terminal, a
/// pipe, a CI log): on standard output in text mode, on standard error with <c>--output json</c> (whose standard output is the
/// one result document). A resource that failed or was refused is an <c>error:</c> line on standard error.
/// </summary>
internal sealed class ApplyProgress(Invocation run) : IProgress<ResourceApplyResult>
{
    private readonly object _lock = new();

    public void Report(ResourceApplyResult value)
    {
        bool error = value.Outcome is ApplyOutcome.Failed or ApplyOutcome.Refused;
        var writer = error || run.Json ? run.Error : run.Out;
        lock (_lock)
        {
            writer.WriteLine(error ? Messages.ResourceError(value.ResourceArn, value.Error, (value.Outcome == ApplyOutcome.Refused ? "REFUSED: " : string.Empty) + value.Message) : ApplyOutput.Line(value));
            writer.Flush();
        }
    }
}

/// <summary>The result of an apply, as text or as its JSON document.</summary>
internal static class ApplyOutput
{
    /// <summary>The version of the <c>apply --output json</c> document.</summary>
    public const int FormatVersion = 1;

    /// <summary>One resource's outcome, in words.</summary>
    public static string Line(ResourceApplyResult r) => r.Outcome switch
    {
        ApplyOutcome.Applied => $"{r.ResourceArn}: applied +{r.Plan!.Additions} ~{r.Plan.Replacements} -{r.Plan.Removals} → " +
            (r.RevisionId is null ? "no policy left" : "revision " + r.RevisionId) + (r.Replans > 0 ? $" (re-planned {r.Replans}x: the revision had moved)" : string.Empty),
        ApplyOutcome.Unchanged => $"{r.ResourceArn}: unchanged (revision {r.RevisionId ?? "none"})",
        ApplyOutcome.Refused => $"{r.ResourceArn}: REFUSED: {r.Message}",
        ApplyOutcome.Skipped => $"{r.ResourceArn}: skipped: {r.Message}",
        ApplyOutcome.NotStarted => $"{r.ResourceArn}: not started (cancelled): nothing was written",
        _ => $"{r.ResourceArn}: FAILED: {(r.Error is LexPolicyException { ErrorCode: { } code } ? code + ": " : string.Empty)}{r.Message}",
    };

    /// <summary>The summary (standard output) or the JSON document, once every resource is done or the run was cancelled.</summary>
    public static async Task WriteResultAsync(Invocation run, ReconcileResult result, IReadOnlyList<DesiredStateProblem> warnings)
    {
        if (!run.Json)
        {
            await run.Out.WriteLineAsync((result.Cancelled ? "Apply cancelled: " : "Apply: ") + result);
            return;
        }

        JsonOut.Write(run.Out, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("formatVersion", FormatVersion);
            w.WriteBoolean("succeeded", result.Succeeded);
            w.WriteBoolean("cancelled", result.Cancelled);
            w.WriteStartObject("summary");
            foreach (var outcome in Enum.GetValues<ApplyOutcome>())
            {
                w.WriteNumber(Name(outcome), result.Count(outcome));
            }

            w.WriteEndObject();
            Messages.WriteWarnings(w, warnings);
            w.WriteStartArray("resources");
            foreach (var r in result.Resources)
            {
                w.WriteStartObject();
                w.WriteString("resourceArn", r.ResourceArn);
                w.WriteString("outcome", Name(r.Outcome));
                w.WriteString("revisionId", r.RevisionId);
                w.WriteNumber("added", r.Plan?.Additions ?? 0);
                w.WriteNumber("replaced", r.Plan?.Replacements ?? 0);
                w.WriteNumber("removed", r.Plan?.Removals ?? 0);
                w.WriteNumber("replans", r.Replans);
                w.WriteString("message", r.Message);
                w.WriteString("errorCode", r.Error is LexPolicyException { ErrorCode: { } code } ? code : r.Error?.GetType().Name);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static string Name(ApplyOutcome outcome) => JsonNamingPolicy.CamelCase.ConvertName(outcome.ToString());
}
