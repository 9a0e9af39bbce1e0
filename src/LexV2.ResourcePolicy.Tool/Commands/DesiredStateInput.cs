using System.Text.Json;
using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary>The desired-state and saved-plan files of <c>plan</c>, <c>apply</c> and <c>caller-policy</c>.</summary>
internal static class DesiredStateInput
{
    public const string FileHelp = "The desired-state file (JSON: resources[] with resourceArn, prune and statements in the API's member names; schema: lexpolicy-desired-state.schema.json in the package); - reads standard input.";

    /// <summary>
    /// Reads and validates a desired-state file; every problem names the file and the JSON path. The linter's findings are
    /// errors with <paramref name="strict"/>; otherwise the plan carries them as warnings.
    /// </summary>
    public static DesiredState Load(Invocation run, string path, bool strict)
    {
        string shown = Invocation.Shown(path);
        string text = run.ReadFile(path);
        if (IsSavedPlan(text))
        {
            throw new ToolException($"{shown} is a saved plan, not a desired-state file: apply it with 'lexpolicy apply {shown}'.");
        }

        var desired = DesiredState.Parse(text, shown);
        var problems = desired.Validate(lint: strict);
        return problems.Count > 0 ? throw new DesiredStateException(shown, problems) : desired;
    }

    /// <summary>Reads a saved plan, refusing a desired-state file with a hint, and a plan whose content does not match its hash (exit 5).</summary>
    public static ReconcilePlan LoadPlan(Invocation run, string path)
    {
        string shown = Invocation.Shown(path);
        string text = run.ReadFile(path);
        if (IsDesiredState(text))
        {
            throw new ToolException($"{shown} is a desired-state file, not a saved plan: use 'lexpolicy apply --file {shown} --auto-approve', or make a plan of it with 'lexpolicy plan --file {shown} --out plan.json' and apply that.");
        }

        return ReconcilePlan.Parse(text, shown);
    }

    /// <summary>The resources of a desired state, each with the JSON path it came from.</summary>
    public static IReadOnlyList<ResourceRef> Resources(DesiredState desired, string path) =>
        [.. desired.Resources.Select((r, i) => new ResourceRef(r.ResourceArn, $"{Invocation.Shown(path)}: $.resources[{i}].resourceArn"))];

    /// <summary>The resources of a saved plan, each with the JSON path it came from.</summary>
    public static IReadOnlyList<ResourceRef> Resources(ReconcilePlan plan, string path) =>
        [.. plan.Resources.Select((r, i) => new ResourceRef(r.ResourceArn, $"{Invocation.Shown(path)}: $.resources[{i}].resourceArn"))];

    /// <summary>The plan with what a saved plan records besides the reconciler's content: its target and this tool's version.</summary>
    public static ReconcilePlan Stamp(ReconcilePlan plan, RegionalClients clients) =>
        new(plan.Resources, plan.CreatedAt)
        {
            Warnings = plan.Warnings,
            Target = clients.TargetOf(plan.Resources.Select(r => r.ResourceArn)),
            Generator = "lexpolicy " + ToolEnvironment.Version,
        };

    private static bool IsDesiredState(string text) => Probe(text, root =>
        !root.TryGetProperty("formatVersion", out _) && root.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Array &&
        resources.EnumerateArray().Any(r => r.ValueKind == JsonValueKind.Object && r.TryGetProperty("statements", out _)));

    private static bool IsSavedPlan(string text) => Probe(text, root => root.TryGetProperty("formatVersion", out _) && root.TryGetProperty("resources", out _));

    /// <summary>A look at the file's shape before the strict reader, for a hint when the wrong kind of file is given.</summary>
    private static bool Probe(string text, Func<JsonElement, bool> test)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.ValueKind == JsonValueKind.Object && test(document.RootElement);
        }
        catch (JsonException)
        {
            return false; // the strict reader says what is wrong with it
        }
    }
}
