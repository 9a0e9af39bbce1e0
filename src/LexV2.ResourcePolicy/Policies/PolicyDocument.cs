#pragma warning disable CA1507 // the strings are IAM element names on the wire, not references to C# members
using System.Text;
using System.Text.Json;

namespace LexV2.ResourcePolicy;

/// <summary>
/// An IAM policy document: the <c>Policy</c> string of CreateResourcePolicy, UpdateResourcePolicy and DescribeResourcePolicy,
/// or an identity-based policy (statements without <c>Principal</c>). <see cref="Parse"/> accepts the shapes IAM allows and
/// <see cref="ToJson"/> writes a parsed document back in the same shapes (single string or list, statement object or list).
/// </summary>
public sealed record PolicyDocument
{
    /// <summary>The policy language version. Default: <c>2012-10-17</c>.</summary>
    public string? Version { get; init; } = "2012-10-17";

    /// <summary>The optional policy id.</summary>
    public string? Id { get; init; }

    /// <summary>The statements.</summary>
    public IReadOnlyList<PolicyStatement> Statement { get; init; } = [];

    /// <summary>Whether <c>Statement</c> was a single object rather than a list (kept for round trips).</summary>
    internal bool StatementIsSingle { get; init; }

    /// <summary>Parses a policy document.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The document.</returns>
    /// <exception cref="PolicyFormatException">The text is not a valid policy; <see cref="PolicyFormatException.Path"/> says where.</exception>
    public static PolicyDocument Parse(string json) => PolicyParser.Parse(json ?? throw new ArgumentNullException(nameof(json)));

    /// <summary>Tries to parse a policy document.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="document">The document, when it parsed.</param>
    /// <param name="error">What is wrong and where, when it did not.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(string? json, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PolicyDocument? document, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        try
        {
            document = Parse(json ?? throw new PolicyFormatException("$", "the policy is null"));
            error = null;
            return true;
        }
        catch (PolicyFormatException e)
        {
            document = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Writes the document as JSON, in the IAM element order (<c>Version</c>, <c>Id</c>, <c>Statement</c>).</summary>
    /// <param name="indented">Indent the output.</param>
    /// <returns>The JSON text.</returns>
    public string ToJson(bool indented = false)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (Version is not null)
            {
                w.WriteString("Version", Version);
            }

            if (Id is not null)
            {
                w.WriteString("Id", Id);
            }

            w.WritePropertyName("Statement");
            if (StatementIsSingle && Statement.Count == 1)
            {
                Statement[0].Write(w);
            }
            else
            {
                w.WriteStartArray();
                foreach (var s in Statement)
                {
                    s.Write(w);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Compares two documents element by element (statement lists in order).</summary>
    /// <param name="other">The other document.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(PolicyDocument? other) =>
        other is not null && Version == other.Version && Id == other.Id && Statement.SequenceEqual(other.Statement);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Version, Id, Statement.Count);

    /// <inheritdoc/>
    public override string ToString() => ToJson();
}

/// <summary>A policy document that cannot be parsed; <see cref="Path"/> is the JSON path of the problem, e.g. <c>$.Statement[1].Effect</c>.</summary>
public sealed class PolicyFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The JSON path of the problem.</param>
    /// <param name="problem">What is wrong there.</param>
    /// <param name="innerException">The JSON reader's error, if any.</param>
    public PolicyFormatException(string path, string problem, Exception? innerException = null)
        : base($"Invalid policy at {path}: {problem}", innerException)
    {
        Path = path;
    }

    /// <summary>The JSON path of the problem.</summary>
    public string Path { get; }
}
