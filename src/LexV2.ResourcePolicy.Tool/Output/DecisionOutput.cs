using System.Text.Json;
using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Tool.Output;

/// <summary>
/// How <c>explain</c>, <c>check</c> and <c>plan</c> print access decisions and expectations: text for people (the decision's
/// <see cref="AccessDecision.Explain"/>), or JSON (<c>formatVersion</c> 1; the <see cref="AccessDecision"/>'s members in
/// camelCase, enums by name).
/// </summary>
internal static class DecisionOutput
{
    /// <summary>The version of the JSON documents <c>explain</c> and <c>check</c> write.</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes an <see cref="AccessDecision"/> as a JSON object: decision, summary, statements, missingContextKeys.</summary>
    public static void Write(Utf8JsonWriter w, AccessDecision decision)
    {
        w.WriteStartObject();
        WriteMembers(w, decision);
        w.WriteEndObject();
    }

    /// <summary>Writes the members of an <see cref="AccessDecision"/> into the object being written.</summary>
    public static void WriteMembers(Utf8JsonWriter w, AccessDecision decision)
    {
        w.WriteString("decision", decision.Decision.ToString());
        w.WriteString("summary", decision.Summary);
        w.WriteStartArray("statements");
        foreach (var s in decision.Statements)
        {
            w.WriteStartObject();
            w.WriteString("policy", s.Policy);
            w.WriteNumber("index", s.Index);
            w.WriteString("sid", s.Sid);
            w.WriteString("effect", s.Effect.ToString());
            w.WriteBoolean("matched", s.Matched);
            w.WriteString("element", s.Element);
            w.WriteString("reason", s.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("missingContextKeys");
        foreach (string key in decision.MissingContextKeys)
        {
            w.WriteStringValue(key);
        }

        w.WriteEndArray();
    }

    /// <summary>The JSON document of a set of expectation results (<c>check</c>, and <c>plan</c> when one fails).</summary>
    public static void WriteExpectations(TextWriter output, IReadOnlyList<ExpectationResult> results) =>
        JsonOut.Write(output, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("formatVersion", FormatVersion);
            w.WriteBoolean("holds", results.All(r => r.Holds));
            w.WriteStartArray("expectations");
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("resourceArn", r.ResourceArn);
                w.WriteNumber("index", r.Index);
                w.WriteString("description", r.Expectation.Description);
                w.WriteString("principal", r.Expectation.Principal);
                w.WriteString("action", r.Expectation.Action);
                w.WriteString("expected", AccessExpectations.Name(r.Expectation.Decision));
                w.WriteBoolean("holds", r.Holds);
                w.WritePropertyName("evaluation");
                Write(w, r.Decision);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

    /// <summary>One line per expectation; each that does not hold is followed by its evaluator's account, indented.</summary>
    public static async Task WriteExpectationsTextAsync(TextWriter output, IReadOnlyList<ExpectationResult> results)
    {
        foreach (var r in results)
        {
            await output.WriteLineAsync(r.Holds ? "  " + r : "  " + r.Explain().Replace("\n", "\n  ", StringComparison.Ordinal));
        }

        int failed = results.Count(r => !r.Holds);
        await output.WriteLineAsync($"Expectations: {results.Count - failed} of {results.Count} hold" + (failed == 0 ? "." : $", {failed} {(failed == 1 ? "does" : "do")} not."));
    }

    /// <summary>
    /// <c>plan</c> and <c>apply --file</c> when an expectation fails for the planned policies: prints the plan and the failures'
    /// accounts (or the JSON document of the expectations), says nothing was saved or written, and returns exit code 1.
    /// </summary>
    public static async Task<int> RefusePlanAsync(Invocation run, ReconcilePlan plan, string what)
    {
        var results = plan.Resources.SelectMany(r => r.Expectations).ToList();
        if (run.Json)
        {
            WriteExpectations(run.Out, results);
        }
        else
        {
            Render.Plan(run.Out, plan, new Palette(run.Color));
            await WriteExpectationsTextAsync(run.Out, results);
        }

        int failed = results.Count(r => !r.Holds);
        await run.Error.WriteLineAsync($"error: {failed} access expectation{(failed == 1 ? " does" : "s do")} not hold for the planned policies; {what}.");
        return ExitCodes.Error;
    }
}
