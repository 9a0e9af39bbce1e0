using System.Text.RegularExpressions;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// Lex V2 resource ARNs as the emulator accepts them: <c>arn:{partition}:lex:{region}:{account}:bot/{botId}</c> or
/// <c>...:bot-alias/{botId}/{botAliasId}</c>, with 10-character alphanumeric ids, a 12-digit account, one of the partitions
/// Lex V2 runs in (<c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>) and a region of that partition. The same rules as the client's
/// <c>BotArn</c>/<c>BotAliasArn</c> types, written here on their own (the emulator shares no validation with the client), and
/// stricter where AWS is: a partition outside those three, or a region of another partition, is refused.
/// </summary>
internal static partial class ResourceArn
{
    /// <summary>Parses <paramref name="arn"/>; returns the reason it is not a Lex V2 bot or bot-alias ARN, or <see langword="null"/>.</summary>
    public static string? Check(string arn, out string account)
    {
        account = string.Empty;
        string[] p = arn.Split(':', 6);
        if (p.Length != 6 || p[0] != "arn" || p[2] != "lex")
        {
            return "expected arn:{partition}:lex:{region}:{account}:bot/{botId} or ...:bot-alias/{botId}/{botAliasId}";
        }

        string partition = p[1], region = p[3];
        if (partition is not ("aws" or "aws-cn" or "aws-us-gov"))
        {
            return $"the partition '{partition}' is not one Lex V2 runs in (aws, aws-cn, aws-us-gov)";
        }

        string regionPartition = region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";
        if (!RegionPattern().IsMatch(region) || regionPartition != partition)
        {
            return $"'{region}' is not a region of the partition '{partition}'";
        }

        if (!AccountPattern().IsMatch(p[4]))
        {
            return $"the account id '{p[4]}' is not 12 digits";
        }

        string[] r = p[5].Split('/');
        bool valid = (r[0], r.Length) switch
        {
            ("bot", 2) => IdPattern().IsMatch(r[1]),
            ("bot-alias", 3) => IdPattern().IsMatch(r[1]) && IdPattern().IsMatch(r[2]),
            _ => false,
        };
        if (!valid)
        {
            return $"the resource '{p[5]}' is not bot/{{botId}} or bot-alias/{{botId}}/{{botAliasId}} with 10-character alphanumeric ids";
        }

        account = p[4];
        return null;
    }

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]+\z")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[0-9]{12}\z")]
    private static partial Regex AccountPattern();

    [GeneratedRegex(@"^[0-9a-zA-Z]{10}\z")]
    private static partial Regex IdPattern();
}
