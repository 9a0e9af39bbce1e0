using System.Globalization;
using System.Text.Json;

namespace LexV2.ResourcePolicy;

/// <summary>Reads IAM policy JSON into the typed model, naming the JSON path of every problem. Reflection-free (JsonDocument).</summary>
internal static class PolicyParser
{
    public static PolicyDocument Parse(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new PolicyFormatException("$" + (e.LineNumber is { } l ? string.Create(CultureInfo.InvariantCulture, $" (line {l + 1}, byte {e.BytePositionInLine + 1})") : string.Empty), "not valid JSON", e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyFormatException("$", "a policy must be a JSON object");
            }

            string? version = null, id = null;
            List<PolicyStatement>? statements = null;
            bool single = false;
            foreach (var p in root.EnumerateObject())
            {
                string path = "$." + p.Name;
                switch (p.Name)
                {
                    case "Version":
                        version = String(p.Value, path);
                        break;
                    case "Id":
                        id = String(p.Value, path);
                        break;
                    case "Statement":
                        statements = [];
                        if (p.Value.ValueKind == JsonValueKind.Object)
                        {
                            single = true;
                            statements.Add(Statement(p.Value, path));
                        }
                        else if (p.Value.ValueKind == JsonValueKind.Array)
                        {
                            int i = 0;
                            foreach (var s in p.Value.EnumerateArray())
                            {
                                statements.Add(Statement(s, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]")));
                            }
                        }
                        else
                        {
                            throw new PolicyFormatException(path, "must be a statement object or a list of statements");
                        }

                        break;
                    default:
                        throw new PolicyFormatException(path, "is not a policy element (expected Version, Id, Statement)");
                }
            }

            return statements is null
                ? throw new PolicyFormatException("$.Statement", "is required")
                : new PolicyDocument { Version = version, Id = id, Statement = statements, StatementIsSingle = single };
        }
    }

    private static PolicyStatement Statement(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyFormatException(path, "a statement must be a JSON object");
        }

        string? sid = null;
        Effect? effect = null;
        PolicyPrincipal? principal = null, notPrincipal = null;
        PolicyValues? action = null, notAction = null, resource = null, notResource = null;
        Dictionary<string, IReadOnlyDictionary<string, PolicyValues>>? condition = null;
        foreach (var p in e.EnumerateObject())
        {
            string at = path + "." + p.Name;
            switch (p.Name)
            {
                case "Sid": sid = String(p.Value, at); break;
                case "Effect":
                    effect = String(p.Value, at) switch
                    {
                        "Allow" => Effect.Allow,
                        "Deny" => Effect.Deny,
                        var other => throw new PolicyFormatException(at, $"must be Allow or Deny (was '{other}')"),
                    };
                    break;
                case "Principal": principal = Principal(p.Value, at); break;
                case "NotPrincipal": notPrincipal = Principal(p.Value, at); break;
                case "Action": action = Values(p.Value, at, allowScalars: false); break;
                case "NotAction": notAction = Values(p.Value, at, allowScalars: false); break;
                case "Resource": resource = Values(p.Value, at, allowScalars: false); break;
                case "NotResource": notResource = Values(p.Value, at, allowScalars: false); break;
                case "Condition": condition = Conditions(p.Value, at); break;
                default: throw new PolicyFormatException(at, "is not a statement element (expected Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition)");
            }
        }

        if (effect is null)
        {
            throw new PolicyFormatException(path + ".Effect", "is required");
        }

        if (action is not null && notAction is not null)
        {
            throw new PolicyFormatException(path, "cannot have both Action and NotAction");
        }

        return new PolicyStatement
        {
            Sid = sid, Effect = effect.Value, Principal = principal, NotPrincipal = notPrincipal,
            Action = action, NotAction = notAction, Resource = resource, NotResource = notResource, Condition = condition,
        };
    }

    private static PolicyPrincipal Principal(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.String)
        {
            return e.GetString() == "*" ? PolicyPrincipal.Anyone : throw new PolicyFormatException(path, "a string principal must be \"*\"; use {\"AWS\": ...} or {\"Service\": ...}");
        }

        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyFormatException(path, "must be \"*\" or an object such as {\"Service\": \"connect.amazonaws.com\"}");
        }

        PolicyValues? aws = null, service = null, federated = null, canonical = null;
        foreach (var p in e.EnumerateObject())
        {
            string at = path + "." + p.Name;
            var v = Values(p.Value, at, allowScalars: false);
            switch (p.Name)
            {
                case "AWS": aws = v; break;
                case "Service": service = v; break;
                case "Federated": federated = v; break;
                case "CanonicalUser": canonical = v; break;
                default: throw new PolicyFormatException(at, "is not a principal type (expected AWS, Service, Federated, CanonicalUser)");
            }
        }

        return new PolicyPrincipal { Aws = aws, Service = service, Federated = federated, CanonicalUser = canonical };
    }

    private static Dictionary<string, IReadOnlyDictionary<string, PolicyValues>> Conditions(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyFormatException(path, "must be an object of condition operators");
        }

        var result = new Dictionary<string, IReadOnlyDictionary<string, PolicyValues>>(StringComparer.Ordinal);
        foreach (var op in e.EnumerateObject())
        {
            string opPath = path + "." + op.Name;
            if (op.Value.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyFormatException(opPath, "must be an object of condition keys");
            }

            var keys = new Dictionary<string, PolicyValues>(StringComparer.Ordinal);
            foreach (var k in op.Value.EnumerateObject())
            {
                keys[k.Name] = Values(k.Value, opPath + "." + k.Name, allowScalars: true);
            }

            result[op.Name] = keys;
        }

        return result;
    }

    private static PolicyValues Values(JsonElement e, string path, bool allowScalars)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            var values = new List<string>();
            var kinds = new List<JsonValueKind>();
            int i = 0;
            foreach (var item in e.EnumerateArray())
            {
                values.Add(Scalar(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]"), allowScalars, out var kind));
                kinds.Add(kind);
            }

            return PolicyValues.Parsed([.. values], isSingle: false, [.. kinds]);
        }

        string value = Scalar(e, path, allowScalars, out var k);
        return PolicyValues.Parsed([value], isSingle: true, [k]);
    }

    private static string Scalar(JsonElement e, string path, bool allowScalars, out JsonValueKind kind)
    {
        kind = e.ValueKind;
        return e.ValueKind switch
        {
            JsonValueKind.String => e.GetString()!,
            JsonValueKind.Number when allowScalars => e.GetRawText(),
            JsonValueKind.True when allowScalars => "true",
            JsonValueKind.False when allowScalars => "false",
            _ => throw new PolicyFormatException(path, allowScalars ? "must be a string, number, boolean or a list of them" : "must be a string or a list of strings"),
        };
    }

    private static string String(JsonElement e, string path) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new PolicyFormatException(path, "must be a string");
}
