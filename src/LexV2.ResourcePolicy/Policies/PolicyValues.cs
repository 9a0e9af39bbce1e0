using System.Collections;
using System.Text.Json;

namespace LexV2.ResourcePolicy;

/// <summary>
/// The value of a policy element that IAM lets be one string or a list of strings (<c>Action</c>, <c>Resource</c>, a
/// principal, a condition value). It remembers which form it was parsed from (<see cref="IsSingle"/>), and whether a
/// condition value was a JSON number or boolean, so a parsed document serializes back the same way.
/// </summary>
public sealed class PolicyValues : IReadOnlyList<string>, IEquatable<PolicyValues>
{
    private readonly string[] _values;
    private readonly JsonValueKind[]? _kinds;

    /// <summary>Creates a list-form value.</summary>
    /// <param name="values">The strings.</param>
    public PolicyValues(IEnumerable<string> values)
        : this((values ?? throw new ArgumentNullException(nameof(values))).ToArray(), isSingle: false, kinds: null)
    {
    }

    private PolicyValues(string[] values, bool isSingle, JsonValueKind[]? kinds)
    {
        if (Array.Exists(values, v => v is null))
        {
            throw new ArgumentException("Policy values must not be null.", nameof(values));
        }

        _values = values;
        IsSingle = isSingle && values.Length == 1;
        _kinds = kinds is not null && Array.Exists(kinds, k => k != JsonValueKind.String) ? kinds : null;
    }

    /// <summary>Whether the value is written as a single string rather than a list.</summary>
    public bool IsSingle { get; }

    /// <inheritdoc/>
    public int Count => _values.Length;

    /// <inheritdoc/>
    public string this[int index] => _values[index];

    /// <summary>A single-string value.</summary>
    /// <param name="value">The string.</param>
    public static implicit operator PolicyValues(string value) => One(value);

    /// <summary>A list value.</summary>
    /// <param name="values">The strings.</param>
    public static implicit operator PolicyValues(string[] values) => new(values);

    /// <summary>Compares two values by their strings, in order (the single/list form is ignored).</summary>
    /// <param name="left">One value.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(PolicyValues? left, PolicyValues? right) => Equals(left, right);

    /// <summary>The negation of <see cref="op_Equality"/>.</summary>
    /// <param name="left">One value.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(PolicyValues? left, PolicyValues? right) => !Equals(left, right);

    /// <summary>A single-string value.</summary>
    /// <param name="value">The string.</param>
    /// <returns>The value.</returns>
    public static PolicyValues One(string value) => new([value ?? throw new ArgumentNullException(nameof(value))], isSingle: true, kinds: null);

    /// <summary>A list value.</summary>
    /// <param name="values">The strings.</param>
    /// <returns>The value.</returns>
    public static PolicyValues Many(params string[] values) => new(values);

    /// <inheritdoc/>
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _values.GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(PolicyValues? other) => other is not null && _values.AsSpan().SequenceEqual(other._values);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PolicyValues);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = default(HashCode);
        foreach (string v in _values)
        {
            h.Add(v, StringComparer.Ordinal);
        }

        return h.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => IsSingle ? _values[0] : "[" + string.Join(", ", _values) + "]";

    internal static PolicyValues Parsed(string[] values, bool isSingle, JsonValueKind[] kinds) => new(values, isSingle, kinds);

    internal void Write(Utf8JsonWriter writer)
    {
        if (IsSingle)
        {
            WriteOne(writer, 0);
            return;
        }

        writer.WriteStartArray();
        for (int i = 0; i < _values.Length; i++)
        {
            WriteOne(writer, i);
        }

        writer.WriteEndArray();
    }

    private void WriteOne(Utf8JsonWriter writer, int i)
    {
        switch (_kinds?[i])
        {
            case JsonValueKind.Number:
                writer.WriteRawValue(_values[i]);
                break;
            case JsonValueKind.True or JsonValueKind.False:
                writer.WriteBooleanValue(_values[i] == "true");
                break;
            default:
                writer.WriteStringValue(_values[i]);
                break;
        }
    }
}
