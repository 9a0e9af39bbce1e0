using System.Text.Json;
using System.Text.Json.Nodes;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// Parses JSON for the emulator and refuses a member repeated in one object: <see cref="JsonNode"/> accepts the text, then throws
/// <see cref="ArgumentException"/> when the object is first read, which would escape as a server failure. Every object is read
/// here once, so a repeat is found before any rule looks at the document.
/// </summary>
internal static class StrictJson
{
    /// <summary>The parsed node, or the reason the text is refused (not JSON, or a repeated member).</summary>
    public static (JsonNode? Node, string? Problem) Parse(ReadOnlySpan<byte> utf8)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            return (null, "it is not valid JSON. " + e.Message);
        }

        try
        {
            Touch(node);
        }
        catch (ArgumentException)
        {
            return (null, "a member appears twice in one JSON object.");
        }

        return (node, null);
    }

    public static (JsonNode? Node, string? Problem) Parse(string text) => Parse(System.Text.Encoding.UTF8.GetBytes(text));

    private static void Touch(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj)
                {
                    Touch(value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Touch(item);
                }

                break;
        }
    }
}
