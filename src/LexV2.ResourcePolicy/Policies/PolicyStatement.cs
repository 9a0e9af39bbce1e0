#pragma warning disable CA1507 // the strings are IAM element names on the wire, not references to C# members
using System.Text.Json;

namespace LexV2.ResourcePolicy;

/// <summary>One statement of an IAM policy document.</summary>
public sealed record PolicyStatement
{
    /// <summary>The statement id.</summary>
    public string? Sid { get; init; }

    /// <summary>Allow or Deny.</summary>
    public required Effect Effect { get; init; }

    /// <summary>Who the statement applies to (resource-based policies).</summary>
    public PolicyPrincipal? Principal { get; init; }

    /// <summary>Who the statement does not apply to.</summary>
    public PolicyPrincipal? NotPrincipal { get; init; }

    /// <summary>The actions, e.g. <c>lex:RecognizeText</c>.</summary>
    public PolicyValues? Action { get; init; }

    /// <summary>The actions excluded.</summary>
    public PolicyValues? NotAction { get; init; }

    /// <summary>The resources.</summary>
    public PolicyValues? Resource { get; init; }

    /// <summary>The resources excluded.</summary>
    public PolicyValues? NotResource { get; init; }

    /// <summary>Conditions, operator → (key → values), e.g. <c>StringEquals → aws:SourceAccount → 123456789012</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, PolicyValues>>? Condition { get; init; }

    /// <summary>Compares element by element; conditions compare as maps (order-insensitive), values in order.</summary>
    /// <param name="other">The other statement.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(PolicyStatement? other) =>
        other is not null && Sid == other.Sid && Effect == other.Effect && Principal == other.Principal && NotPrincipal == other.NotPrincipal &&
        Action == other.Action && NotAction == other.NotAction && Resource == other.Resource && NotResource == other.NotResource &&
        ConditionsEqual(Condition, other.Condition);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Sid, Effect, Action, Resource);

    internal static bool ConditionsEqual(IReadOnlyDictionary<string, IReadOnlyDictionary<string, PolicyValues>>? a, IReadOnlyDictionary<string, IReadOnlyDictionary<string, PolicyValues>>? b)
    {
        if (a is null || a.Count == 0 || b is null || b.Count == 0)
        {
            return (a?.Count ?? 0) == 0 && (b?.Count ?? 0) == 0;
        }

        return a.Count == b.Count && a.All(op => b.TryGetValue(op.Key, out var keys) && keys.Count == op.Value.Count &&
            op.Value.All(k => keys.TryGetValue(k.Key, out var v) && v == k.Value));
    }

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        if (Sid is not null)
        {
            w.WriteString("Sid", Sid);
        }

        w.WriteString("Effect", Effect == Effect.Allow ? "Allow" : "Deny");
        Principal?.Write(w, "Principal");
        NotPrincipal?.Write(w, "NotPrincipal");
        WriteValues(w, "Action", Action);
        WriteValues(w, "NotAction", NotAction);
        WriteValues(w, "Resource", Resource);
        WriteValues(w, "NotResource", NotResource);
        if (Condition is not null)
        {
            w.WriteStartObject("Condition");
            foreach (var (op, keys) in Condition)
            {
                w.WriteStartObject(op);
                foreach (var (key, values) in keys)
                {
                    w.WritePropertyName(key);
                    values.Write(w);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter w, string name, PolicyValues? values)
    {
        if (values is not null)
        {
            w.WritePropertyName(name);
            values.Write(w);
        }
    }
}

/// <summary>
/// The <c>Principal</c> of a statement: <c>"*"</c> (anyone), or a map of principal types (<c>AWS</c>, <c>Service</c>,
/// <c>Federated</c>, <c>CanonicalUser</c>) to one or more values.
/// </summary>
public sealed record PolicyPrincipal
{
    /// <summary>Anyone: <c>"Principal": "*"</c>.</summary>
    public static PolicyPrincipal Anyone { get; } = new() { IsAnyone = true };

    /// <summary>Whether this is the wildcard principal <c>"*"</c>.</summary>
    public bool IsAnyone { get; init; }

    /// <summary>IAM principals: account roots, users, roles (<c>"AWS"</c>).</summary>
    public PolicyValues? Aws { get; init; }

    /// <summary>Service principals such as <c>connect.amazonaws.com</c> (<c>"Service"</c>).</summary>
    public PolicyValues? Service { get; init; }

    /// <summary>Federated principals (<c>"Federated"</c>).</summary>
    public PolicyValues? Federated { get; init; }

    /// <summary>Canonical user ids (<c>"CanonicalUser"</c>).</summary>
    public PolicyValues? CanonicalUser { get; init; }

    /// <summary>A service principal.</summary>
    /// <param name="services">One or more service principal names.</param>
    /// <returns>The principal.</returns>
    public static PolicyPrincipal ForService(params string[] services) =>
        new() { Service = services.Length == 1 ? PolicyValues.One(services[0]) : PolicyValues.Many(services) };

    /// <summary>An IAM principal.</summary>
    /// <param name="arns">One or more IAM ARNs (or account ids).</param>
    /// <returns>The principal.</returns>
    public static PolicyPrincipal ForAws(params string[] arns) =>
        new() { Aws = arns.Length == 1 ? PolicyValues.One(arns[0]) : PolicyValues.Many(arns) };

    internal void Write(Utf8JsonWriter w, string name)
    {
        if (IsAnyone)
        {
            w.WriteString(name, "*");
            return;
        }

        w.WriteStartObject(name);
        Values(w, "AWS", Aws);
        Values(w, "Service", Service);
        Values(w, "Federated", Federated);
        Values(w, "CanonicalUser", CanonicalUser);
        w.WriteEndObject();

        static void Values(Utf8JsonWriter w, string key, PolicyValues? v)
        {
            if (v is not null)
            {
                w.WritePropertyName(key);
                v.Write(w);
            }
        }
    }
}
