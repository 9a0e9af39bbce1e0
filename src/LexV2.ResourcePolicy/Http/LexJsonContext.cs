using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LexV2.ResourcePolicy.Http;

/// <summary>The wire shape of the CreateResourcePolicyStatement body (path and query members are not in it).</summary>
internal sealed class CreateStatementBody
{
    public required IReadOnlyList<string> Action { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? Condition { get; init; }

    public required Effect Effect { get; init; }

    public required IReadOnlyList<Principal> Principal { get; init; }

    public required string StatementId { get; init; }
}

/// <summary>The wire shape of the CreateResourcePolicy and UpdateResourcePolicy bodies.</summary>
internal sealed class PolicyBody
{
    public required string Policy { get; init; }
}

/// <summary>
/// Source-generated System.Text.Json metadata for every wire shape: no reflection, so the client is trimming- and NativeAOT-safe.
/// Member names are the API's camelCase ones, absent members are omitted, enums are their names.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true,
    UseStringEnumConverter = true,
    AllowTrailingCommas = false,
    MaxDepth = 64)]
[JsonSerializable(typeof(CreateStatementBody))]
[JsonSerializable(typeof(PolicyBody))]
[JsonSerializable(typeof(CreateResourcePolicyStatementResponse))]
[JsonSerializable(typeof(DeleteResourcePolicyStatementResponse))]
[JsonSerializable(typeof(CreateResourcePolicyResponse))]
[JsonSerializable(typeof(DescribeResourcePolicyResponse))]
[JsonSerializable(typeof(UpdateResourcePolicyResponse))]
[JsonSerializable(typeof(DeleteResourcePolicyResponse))]
internal sealed partial class LexJsonContext : JsonSerializerContext
{
}

/// <summary>The JSON contexts of the wire.</summary>
internal static class LexJson
{
    /// <summary>
    /// The context the client uses: as generated, but writing non-ASCII and quote characters inside strings as themselves
    /// (<c>\"</c>, not <c>\u0022</c>), the form AWS SDKs send; these bodies are never embedded in HTML.
    /// </summary>
    public static LexJsonContext Wire { get; } = new(new JsonSerializerOptions(LexJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
