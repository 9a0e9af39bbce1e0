using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LexV2.ResourcePolicy.Reconcile;

/// <summary>
/// Finds a member that appears twice in one JSON object. The serializer keeps the last of two (so <c>"effect": "Deny"</c>
/// followed by <c>"effect": "Allow"</c> would be applied as Allow, past a reviewer who read the first); the files refuse it.
/// </summary>
internal static class JsonDuplicates
{
    /// <summary>The JSON path of the first repeated member, or <see langword="null"/>. Malformed JSON is left to the parser.</summary>
    public static string? FindFirst(string json)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false });
        var frames = new Stack<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        frames.Push(new Frame(Path(frames), new HashSet<string>(StringComparer.Ordinal)));
                        break;
                    case JsonTokenType.StartArray:
                        frames.Push(new Frame(Path(frames), null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.Pop();
                        Advance(frames);
                        break;
                    case JsonTokenType.PropertyName:
                        var frame = frames.Peek();
                        string name = reader.GetString()!;
                        frame.Member = name;
                        if (!frame.Names!.Add(name))
                        {
                            return Path(frames);
                        }

                        break;
                    default:
                        Advance(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    /// <summary>After a value in an array, the next index.</summary>
    private static void Advance(Stack<Frame> frames)
    {
        if (frames.Count > 0 && frames.Peek().Names is null)
        {
            frames.Peek().Index++;
        }
    }

    private static string Path(Stack<Frame> frames)
    {
        if (frames.Count == 0)
        {
            return "$";
        }

        var top = frames.Peek();
        return top.Names is null
            ? top.Path + "[" + top.Index.ToString(CultureInfo.InvariantCulture) + "]"
            : top.Member is null ? top.Path : top.Path + "." + top.Member;
    }

    private sealed class Frame(string path, HashSet<string>? names)
    {
        public string Path { get; } = path;

        public HashSet<string>? Names { get; } = names;

        public string? Member { get; set; }

        public int Index { get; set; }
    }
}
