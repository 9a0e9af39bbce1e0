using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LexV2.ResourcePolicy.Reconcile;

/// <summary>
/// The canonical form of a JSON document, for hashing: object members sorted by name (ordinal, UTF-16 code units, as RFC 8785
/// sorts them), no insignificant whitespace, strings re-escaped one way, numbers as written. Two texts with the same content
/// have the same canonical form, however they are indented or escaped.
/// </summary>
internal static class CanonicalJson
{
    /// <summary>The SHA-256 (lower-case hex) of the canonical form of <paramref name="json"/> without its top-level member <paramref name="exclude"/>.</summary>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static string Sha256(string json, string exclude)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        var buffer = new ArrayBufferWriter<byte>(json.Length);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 64 }))
        {
            Write(writer, document.RootElement, exclude);
        }

        return Convert.ToHexString(SHA256.HashData(buffer.WrittenSpan)).ToLowerInvariant();
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element, string? exclude)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var member in element.EnumerateObject().Where(m => m.Name != exclude).OrderBy(m => m.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(member.Name);
                    Write(writer, member.Value, null);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item, null);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(element.GetRawText());
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                writer.WriteBooleanValue(element.GetBoolean());
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
