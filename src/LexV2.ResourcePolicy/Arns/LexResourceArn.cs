using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace LexV2.ResourcePolicy;

/// <summary>
/// The ARN of a Lex V2 resource that can carry a resource policy: a <see cref="BotArn"/> or a <see cref="BotAliasArn"/>.
/// Converts implicitly to <see cref="string"/>, so it can be used wherever a request takes a resource ARN.
/// </summary>
public abstract partial record LexResourceArn
{
    private protected LexResourceArn(string partition, string region, string accountId, string botId)
    {
        Partition = Require(partition, PartitionPattern(), "partition", "aws, aws-cn or aws-us-gov");
        Region = Require(region, RegionPattern(), "region", "a region name such as us-east-1");
        AccountId = Require(accountId, AccountPattern(), "account id", "12 digits");
        BotId = Require(botId, IdPattern(), "bot id", "10 letters or digits");
    }

    /// <summary>The partition, for example <c>aws</c>, <c>aws-cn</c> or <c>aws-us-gov</c>.</summary>
    public string Partition { get; }

    /// <summary>The region, for example <c>us-east-1</c>.</summary>
    public string Region { get; }

    /// <summary>The 12-digit account id that owns the bot.</summary>
    public string AccountId { get; }

    /// <summary>The bot's 10-character id.</summary>
    public string BotId { get; }

    /// <summary>The ARN's resource type: <c>bot</c> or <c>bot-alias</c>.</summary>
    public abstract string ResourceType { get; }

    /// <summary>The ARN as a string.</summary>
    /// <param name="arn">The ARN.</param>
    public static implicit operator string(LexResourceArn arn) => arn?.ToString()!;

    /// <summary>Parses a Lex V2 bot or bot-alias ARN.</summary>
    /// <param name="arn">The text, for example <c>arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/TSTALIASID</c>.</param>
    /// <returns>A <see cref="BotArn"/> or a <see cref="BotAliasArn"/>.</returns>
    /// <exception cref="FormatException">The text is not one; the message says what is wrong (a Lex V1 ARN, a missing account, another service, ...).</exception>
    public static LexResourceArn Parse(string arn) =>
        TryParse(arn, out var result, out string? error) ? result : throw new FormatException(error);

    /// <summary>Tries to parse a Lex V2 bot or bot-alias ARN.</summary>
    /// <param name="arn">The text.</param>
    /// <param name="result">The ARN, when it parsed.</param>
    /// <param name="error">What is wrong, when it did not.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse([NotNullWhen(true)] string? arn, [NotNullWhen(true)] out LexResourceArn? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(arn))
        {
            error = "The ARN is empty.";
            return false;
        }

        string[] p = arn.Split(':', 6);
        if (p.Length < 6 || p[0] != "arn")
        {
            error = $"'{arn}' is not an ARN: expected arn:{{partition}}:lex:{{region}}:{{account}}:bot/{{botId}} or ...:bot-alias/{{botId}}/{{botAliasId}}.";
            return false;
        }

        if (p[2] != "lex")
        {
            error = $"'{arn}' is an ARN of the '{p[2]}' service, not of Lex ('lex').";
            return false;
        }

        if (p[4].Length == 0)
        {
            error = $"'{arn}' has no account id: expected 12 digits between the region and the resource, e.g. arn:aws:lex:us-east-1:123456789012:bot/BOTID12345.";
            return false;
        }

        string resource = p[5];
        if (resource.StartsWith("bot:", StringComparison.Ordinal) || resource.StartsWith("intent:", StringComparison.Ordinal) || resource.StartsWith("slottype:", StringComparison.Ordinal) || resource.StartsWith("bot-channel:", StringComparison.Ordinal))
        {
            error = $"'{arn}' is a Lex V1 ARN (bot:name:alias); Lex V2 resource policies take bot/{{botId}} or bot-alias/{{botId}}/{{botAliasId}}, with the 10-character ids from the Lex V2 console or ListBots/ListBotAliases.";
            return false;
        }

        string[] r = resource.Split('/');
        try
        {
            result = (r[0], r.Length) switch
            {
                ("bot", 2) => new BotArn(p[1], p[3], p[4], r[1]),
                ("bot-alias", 3) => new BotAliasArn(p[1], p[3], p[4], r[1], r[2]),
                ("bot", _) => throw new FormatException($"'{arn}': a bot ARN ends in bot/{{botId}}; for an alias use bot-alias/{{botId}}/{{botAliasId}}."),
                ("bot-alias", _) => throw new FormatException($"'{arn}': a bot-alias ARN ends in bot-alias/{{botId}}/{{botAliasId}}."),
                _ => throw new FormatException($"'{arn}': resource type '{r[0]}' cannot carry a resource policy; use bot/{{botId}} or bot-alias/{{botId}}/{{botAliasId}}."),
            };
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
        catch (ArgumentException e)
        {
            error = $"'{arn}': {e.Message}";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>The ARN prefix shared by both kinds: <c>arn:{partition}:lex:{region}:{account}:</c>.</summary>
    /// <returns>The prefix.</returns>
    private protected string Prefix() => $"arn:{Partition}:lex:{Region}:{AccountId}:";

    private protected static string Require(string value, Regex pattern, string name, string expected)
    {
        ArgumentNullException.ThrowIfNull(value);
        return pattern.IsMatch(value) ? value : throw new ArgumentException($"the {name} '{value}' is not valid: expected {expected}.", name.Replace(" ", string.Empty, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^aws(-[a-z]+)*\z")]
    private static partial Regex PartitionPattern();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]+\z")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[0-9]{12}\z")]
    private static partial Regex AccountPattern();

    [GeneratedRegex(@"^[0-9a-zA-Z]{10}\z")]
    private protected static partial Regex IdPattern();
}

/// <summary>A Lex V2 bot ARN: <c>arn:{partition}:lex:{region}:{account}:bot/{botId}</c>.</summary>
public sealed record BotArn : LexResourceArn
{
    /// <summary>Creates a bot ARN from its parts.</summary>
    /// <param name="partition">The partition, for example <c>aws</c>.</param>
    /// <param name="region">The region.</param>
    /// <param name="accountId">The 12-digit account id.</param>
    /// <param name="botId">The 10-character bot id.</param>
    /// <exception cref="ArgumentException">A part is malformed.</exception>
    public BotArn(string partition, string region, string accountId, string botId)
        : base(partition, region, accountId, botId)
    {
    }

    /// <inheritdoc/>
    public override string ResourceType => "bot";

    /// <summary>Parses a bot ARN.</summary>
    /// <param name="arn">The text.</param>
    /// <returns>The ARN.</returns>
    /// <exception cref="FormatException">The text is not a Lex V2 bot ARN.</exception>
    public static new BotArn Parse(string arn) =>
        LexResourceArn.Parse(arn) as BotArn ?? throw new FormatException($"'{arn}' is a bot-alias ARN, not a bot ARN.");

    /// <summary>Tries to parse a bot ARN, without throwing.</summary>
    /// <param name="arn">The text.</param>
    /// <param name="result">The ARN, when <paramref name="arn"/> is a Lex V2 bot ARN.</param>
    /// <returns>Whether it is one (a bot-alias ARN is not); <see cref="LexResourceArn.TryParse(string?, out LexResourceArn?, out string?)"/> says what is wrong.</returns>
    public static bool TryParse([NotNullWhen(true)] string? arn, [NotNullWhen(true)] out BotArn? result)
    {
        result = TryParse(arn, out LexResourceArn? parsed, out _) ? parsed as BotArn : null;
        return result is not null;
    }

    /// <summary>The ARN of one of this bot's aliases.</summary>
    /// <param name="botAliasId">The 10-character alias id (<c>TSTALIASID</c> is the built-in test alias).</param>
    /// <returns>The alias ARN.</returns>
    public BotAliasArn Alias(string botAliasId) => new(Partition, Region, AccountId, BotId, botAliasId);

    /// <inheritdoc/>
    public override string ToString() => Prefix() + "bot/" + BotId;
}

/// <summary>A Lex V2 bot-alias ARN: <c>arn:{partition}:lex:{region}:{account}:bot-alias/{botId}/{botAliasId}</c>.</summary>
public sealed record BotAliasArn : LexResourceArn
{
    /// <summary>Creates a bot-alias ARN from its parts.</summary>
    /// <param name="partition">The partition, for example <c>aws</c>.</param>
    /// <param name="region">The region.</param>
    /// <param name="accountId">The 12-digit account id.</param>
    /// <param name="botId">The 10-character bot id.</param>
    /// <param name="botAliasId">The 10-character alias id.</param>
    /// <exception cref="ArgumentException">A part is malformed.</exception>
    public BotAliasArn(string partition, string region, string accountId, string botId, string botAliasId)
        : base(partition, region, accountId, botId)
    {
        BotAliasId = Require(botAliasId, IdPattern(), "bot alias id", "10 letters or digits");
    }

    /// <summary>The alias's 10-character id.</summary>
    public string BotAliasId { get; }

    /// <inheritdoc/>
    public override string ResourceType => "bot-alias";

    /// <summary>The ARN of the alias's bot.</summary>
    public BotArn Bot => new(Partition, Region, AccountId, BotId);

    /// <summary>Parses a bot-alias ARN.</summary>
    /// <param name="arn">The text.</param>
    /// <returns>The ARN.</returns>
    /// <exception cref="FormatException">The text is not a Lex V2 bot-alias ARN.</exception>
    public static new BotAliasArn Parse(string arn) =>
        LexResourceArn.Parse(arn) as BotAliasArn ?? throw new FormatException($"'{arn}' is a bot ARN, not a bot-alias ARN.");

    /// <summary>Tries to parse a bot-alias ARN, without throwing.</summary>
    /// <param name="arn">The text.</param>
    /// <param name="result">The ARN, when <paramref name="arn"/> is a Lex V2 bot-alias ARN.</param>
    /// <returns>Whether it is one (a bot ARN is not); <see cref="LexResourceArn.TryParse(string?, out LexResourceArn?, out string?)"/> says what is wrong.</returns>
    public static bool TryParse([NotNullWhen(true)] string? arn, [NotNullWhen(true)] out BotAliasArn? result)
    {
        result = TryParse(arn, out LexResourceArn? parsed, out _) ? parsed as BotAliasArn : null;
        return result is not null;
    }

    /// <inheritdoc/>
    public override string ToString() => Prefix() + "bot-alias/" + BotId + "/" + BotAliasId;
}
