using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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
    private static LexJsonContext? s_wire;

    /// <summary>
    /// The wire form of request bodies, as a context: as generated, but writing non-ASCII and quote characters inside strings as
    /// themselves (<c>\"</c>, not <c>\u0022</c>), the form AWS SDKs send; these bodies are never embedded in HTML. The client
    /// writes exactly these bytes through <see cref="Serialize"/> and reads answers with the generated default context (reading
    /// does not use an encoder), so it never builds this context itself: it is the reference the tests compare against.
    /// </summary>
    public static LexJsonContext Wire => s_wire ??= new(new JsonSerializerOptions(LexJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>The writer settings of <see cref="Wire"/>: the same escaping and depth limit.</summary>
    private static readonly JsonWriterOptions WireWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 64 };

    /// <summary>A body buffer larger than this is not kept for the next request on the thread.</summary>
    private const int MaxCachedBuffer = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// Serializes a request body exactly as <see cref="Wire"/> writes it, through the source generator's fast path: a context with
    /// a custom encoder in its options cannot use that path (System.Text.Json falls back to its metadata-driven converters, about
    /// twice the CPU), so the body is written with the default context's <paramref name="typeInfo"/> into a writer that carries
    /// <see cref="Wire"/>'s encoder. The writer and its buffer are reused per thread.
    /// </summary>
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ArrayBufferWriter<byte> buffer = t_buffer ?? new ArrayBufferWriter<byte>(1024);
        Utf8JsonWriter writer = t_writer ?? new Utf8JsonWriter(buffer, WireWriter);
        t_buffer = null; // not shared with a nested call on this thread while in use
        t_writer = null;
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        JsonSerializer.Serialize(writer, value, typeInfo);
        byte[] bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity <= MaxCachedBuffer)
        {
            writer.Reset(Stream.Null); // let go of the buffer's bytes until the next use
            t_buffer = buffer;
            t_writer = writer;
        }

        return bytes;
    }
}
