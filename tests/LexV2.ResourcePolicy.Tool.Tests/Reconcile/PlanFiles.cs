using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LexV2.ResourcePolicy.Tool.Tests.Reconcile;

/// <summary>
/// Saved plans edited by a test, then given the hash of their new content, computed the way the README documents it and
/// written independently of the library: the document without its <c>sha256</c> member, object members sorted by name
/// (ordinal), no insignificant whitespace, UTF-8, SHA-256 in lower-case hex. That the library accepts these is itself a check
/// that anyone can recompute the hash, which is why <c>--expect-sha256</c> exists.
/// </summary>
internal static class PlanFiles
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reads a plan file as a JSON object to edit.</summary>
    public static JsonObject Read(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    /// <summary>Writes <paramref name="plan"/> with a <c>sha256</c> that matches its content.</summary>
    public static string Seal(JsonObject plan)
    {
        plan.Remove("sha256");
        plan["sha256"] = Sha256(plan);
        return plan.ToJsonString(new JsonSerializerOptions(Relaxed) { WriteIndented = true });
    }

    /// <summary>The hash of a plan's canonical content (its <c>sha256</c> member left out).</summary>
    public static string Sha256(JsonObject plan) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(plan, top: true)))).ToLowerInvariant();

    private static string Canonical(JsonNode? node, bool top = false) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.Where(p => !(top && p.Key == "sha256")).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => JsonSerializer.Serialize(p.Key, Relaxed) + ":" + Canonical(p.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(item => Canonical(item))) + "]",
        null => "null",
        _ => node.ToJsonString(Relaxed),
    };
}
