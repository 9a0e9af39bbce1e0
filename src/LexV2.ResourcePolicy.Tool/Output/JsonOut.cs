using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LexV2.ResourcePolicy.Tool.Output;

/// <summary>Writes <c>--output json</c> documents with <see cref="Utf8JsonWriter"/> (no reflection: NativeAOT-safe).</summary>
internal static class JsonOut
{
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Writes JSON text (a policy document) as a value, or null.</summary>
    public static void Raw(Utf8JsonWriter w, string name, string? json)
    {
        w.WritePropertyName(name);
        if (json is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteRawValue(json);
        }
    }
}
