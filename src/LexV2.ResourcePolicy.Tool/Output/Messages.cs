using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tool.Output;

/// <summary>Warnings and per-resource errors, one line each on standard error.</summary>
internal static class Messages
{
    /// <summary>The linter's findings: not errors (<c>--strict</c> makes them so), but worth a look before applying.</summary>
    public static async Task WarningsAsync(TextWriter error, IEnumerable<DesiredStateProblem> warnings, string? source)
    {
        foreach (var w in warnings)
        {
            await error.WriteLineAsync($"warning: {(source is null ? string.Empty : source + ": ")}{w.Path}: {w.Message}");
        }
    }

    /// <summary>The error of a resource that could not be planned or applied.</summary>
    public static string ResourceError(string resourceArn, Exception? error, string? message) =>
        $"error: {resourceArn}: {(error is LexPolicyException { ErrorCode: { } code } ? code + ": " : string.Empty)}{message ?? error?.Message}";

    /// <summary>A JSON <c>warnings</c> member: path and message of each finding.</summary>
    public static void WriteWarnings(System.Text.Json.Utf8JsonWriter w, IReadOnlyList<DesiredStateProblem> warnings)
    {
        w.WriteStartArray("warnings");
        foreach (var warning in warnings)
        {
            w.WriteStartObject();
            w.WriteString("path", warning.Path);
            w.WriteString("message", warning.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
