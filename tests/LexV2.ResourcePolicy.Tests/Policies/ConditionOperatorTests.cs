namespace LexV2.ResourcePolicy.Tests.Policies;

/// <summary>The IAM condition-operator grammar ("IAM JSON policy elements: Condition operators").</summary>
public class ConditionOperatorTests
{
    public static TheoryData<string> EveryDocumentedBase => new(ConditionOperator.BaseNames);

    [Theory]
    [MemberData(nameof(EveryDocumentedBase))]
    public void EveryDocumentedOperator_ParsesPlain_WithIfExists_AndWithEitherSetQualifier(string name)
    {
        Assert.True(ConditionOperator.TryParse(name, out var plain, out _));
        Assert.Equal(name, plain.BaseName);
        Assert.False(plain.IfExists);
        Assert.True(ConditionOperator.TryParse("ForAnyValue:" + name, out var any, out _));
        Assert.Equal(ConditionSetQualifier.ForAnyValue, any.Set);
        Assert.True(ConditionOperator.TryParse("ForAllValues:" + name, out var all, out _));
        Assert.Equal(ConditionSetQualifier.ForAllValues, all.Set);
        if (name == "Null")
        {
            Assert.False(ConditionOperator.TryParse("NullIfExists", out _, out string? problem));
            Assert.Contains("IfExists cannot be added to Null", problem, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(ConditionOperator.TryParse(name + "IfExists", out var ifExists, out _));
            Assert.True(ifExists.IfExists);
            Assert.Equal(name, ifExists.BaseName);
            Assert.True(ConditionOperator.TryParse("ForAllValues:" + name + "IfExists", out var both, out _));
            Assert.True(both.IfExists && both.Set == ConditionSetQualifier.ForAllValues);
        }
    }

    [Theory]
    [InlineData("StringEqualz", "StringEquals")]
    [InlineData("stringEquals", "StringEquals")]
    [InlineData("StringEqualsIfExist", "StringEqualsIfExists")]
    [InlineData("ArnEqual", "ArnEquals")]
    [InlineData("ForAnyValues:StringLike", "ForAnyValue:StringLike")]
    [InlineData("forallvalues:stringequals", "ForAllValues:StringEquals")]
    [InlineData("IPAddress", "IpAddress")]
    [InlineData("Boolean", "Bool")]
    public void UnknownOperator_IsRefused_WithTheNearestKnownOne(string name, string suggestion)
    {
        Assert.False(ConditionOperator.TryParse(name, out _, out string? problem));
        Assert.Contains($"'{name}' is not an IAM condition operator", problem, StringComparison.Ordinal);
        Assert.EndsWith($"did you mean '{suggestion}'?", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Equals")]
    [InlineData("Whatever:StringEquals")]
    [InlineData("IfExists")]
    [InlineData("XyzzyPlugh")]
    public void NameFarFromEveryOperator_IsRefused_WithoutAGuess(string name)
    {
        Assert.False(ConditionOperator.TryParse(name, out _, out string? problem));
        Assert.DoesNotContain("did you mean", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StringEquals", true)]
    [InlineData("StringLike", true)]
    [InlineData("ArnEquals", true)]
    [InlineData("ArnLike", true)]
    [InlineData("StringEqualsIfExists", false)]
    [InlineData("ArnLikeIfExists", false)]
    [InlineData("StringNotEquals", false)]
    [InlineData("ArnNotLike", false)]
    [InlineData("StringEqualsIgnoreCase", false)]
    [InlineData("ForAllValues:StringEquals", false)]
    [InlineData("ForAnyValue:ArnLike", false)]
    [InlineData("Null", false)]
    public void PinsValue_OnlyForThePositiveOperatorsThatFailOnAMissingKey(string name, bool pins)
    {
        Assert.True(ConditionOperator.TryParse(name, out var op, out _));
        Assert.Equal(pins, op.PinsValue);
    }

    [Theory]
    [InlineData("NumericLessThan", "10", true)]
    [InlineData("NumericLessThan", "-2.5", true)]
    [InlineData("NumericLessThan", "ten", false)]
    [InlineData("NumericLessThan", "1e3", false)]
    [InlineData("NumericLessThan", "1.", false)]
    [InlineData("DateGreaterThan", "2026-12-31", true)]
    [InlineData("DateGreaterThan", "2026-12-31T23:59:59Z", true)]
    [InlineData("DateGreaterThan", "2026-12-31T23:59:59.123+02:00", true)]
    [InlineData("DateGreaterThan", "1767225599", true)]
    [InlineData("DateGreaterThan", "2026-12-31T23:59:59.123456789Z", true)] // W3C: any number of fraction digits
    [InlineData("DateGreaterThan", "20261231T235959+0100", true)]
    [InlineData("DateGreaterThan", "20261231T235959+01:00", false)] // basic date with an extended offset
    [InlineData("DateGreaterThan", "2026-12-31T23:59:59.Z", false)] // a decimal point without digits
    [InlineData("DateGreaterThan", "2028-02-29", true)]
    [InlineData("DateGreaterThan", "2026-02-29", false)]
    [InlineData("DateGreaterThan", "2026-12-31T24:00:00Z", false)]
    [InlineData("DateGreaterThan", "1700000000000", false)] // milliseconds: beyond the year 9999
    [InlineData("DateGreaterThan", "2026", true)]
    [InlineData("DateGreaterThan", "2026-12", true)]
    [InlineData("DateGreaterThan", "2026-12-31T10:00Z", true)]
    [InlineData("DateGreaterThan", "2026-12-31T10:00:00+0100", true)]
    [InlineData("DateGreaterThan", "20261231T235959", true)]
    [InlineData("DateGreaterThan", "2026-", false)]
    [InlineData("DateGreaterThan", "2026-12-", false)]
    [InlineData("DateGreaterThan", "2026-12-31T", false)]
    [InlineData("DateGreaterThan", "2026-12-31T10", false)]
    [InlineData("DateGreaterThan", "2026-12-31T10:00:", false)]
    [InlineData("DateGreaterThan", "2026-12-31T10:00:00+1", false)]
    [InlineData("DateGreaterThan", "2026-12-31T10:00:00+19:00", false)]
    [InlineData("DateGreaterThan", "2026-12-31T10:00:00Zx", false)]
    [InlineData("DateGreaterThan", "2026-13", false)]
    [InlineData("DateGreaterThan", "31/12/2026", false)]
    [InlineData("DateGreaterThan", "yesterday", false)]
    [InlineData("Bool", "true", true)]
    [InlineData("Bool", "False", true)]
    [InlineData("Bool", "yes", false)]
    [InlineData("Bool", "${aws:SecureTransport}", true)]
    [InlineData("Null", "true", true)]
    [InlineData("Null", "1", false)]
    [InlineData("IpAddress", "203.0.113.0/24", true)]
    [InlineData("IpAddress", "203.0.113.7", true)]
    [InlineData("NotIpAddress", "2001:db8::/32", true)]
    [InlineData("IpAddress", "203.0.113.0/33", false)]
    [InlineData("IpAddress", "300.1.1.1", false)]
    [InlineData("IpAddress", "${aws:SourceIp}", false)]
    [InlineData("BinaryEquals", "QmluYXJ5VmFsdWU=", true)]
    [InlineData("BinaryEquals", "not base64!", false)]
    [InlineData("StringEquals", "anything at all", true)]
    [InlineData("ArnLike", "arn:aws:connect:*:${aws:PrincipalAccount}:instance/*", true)]
    public void Values_MustHaveTheOperatorsType(string name, string value, bool valid)
    {
        Assert.True(ConditionOperator.TryParse(name, out var op, out _));
        Assert.Equal(valid, op.IsValidValue(value, out string? rule));
        Assert.Equal(valid, rule is null);
    }

    [Fact]
    public void IpRange_MasksHostBits_AsIamDoes()
    {
        Assert.True(ConditionValues.TryParseIpRange("10.1.2.3/8", out var range));
        Assert.True(range.Contains(System.Net.IPAddress.Parse("10.200.0.1")));
        Assert.False(range.Contains(System.Net.IPAddress.Parse("11.0.0.1")));
    }

    [Fact]
    public void Dates_WithoutOffset_AreUtc_AndEpochSecondsAgree()
    {
        Assert.True(ConditionValues.TryParseDate("2026-01-01T00:00:00", out var iso));
        Assert.True(ConditionValues.TryParseDate("1767225600", out var epoch));
        Assert.Equal(iso, epoch);
    }
}
