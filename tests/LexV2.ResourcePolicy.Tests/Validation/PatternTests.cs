using System.Text.RegularExpressions;
using CsCheck;
using LexV2.ResourcePolicy.Validation;

namespace LexV2.ResourcePolicy.Tests.Validation;

/// <summary>
/// The hand-written pattern checks match exactly what the API model's regular expressions match (the expressions are kept here,
/// as the reference), on random strings drawn from the characters that matter to each pattern and on edge cases.
/// </summary>
public class PatternTests
{
    private static readonly (string Name, Regex Reference, Func<string, bool> Check, string Alphabet, string[] Seeds)[] Cases =
    [
        ("region", new Regex(@"^[a-z0-9]+(-[a-z0-9]+)*\z", RegexOptions.CultureInvariant), Patterns.IsRegion, "az09-\nA_ .",
            ["us-east-1", "us-east-1\n", "\n", "-", "us--east", "us-", "-us", "", "a\n\n", "us-gov-west-1"]),
        ("statement id", new Regex(@"^([0-9a-zA-Z][_-]?)+\z", RegexOptions.CultureInvariant), Patterns.IsStatementId, "aZ09_-. \n",
            ["a", "a_", "a-b_c", "_a", "a__b", "a_-b", "", "A1-", "a\n"]),
        ("revision id", new Regex(@"^[0-9]+\z", RegexOptions.CultureInvariant), Patterns.IsRevisionId, "0919a \n-",
            ["1", "12345", "", "1\n", "1a", "٣"]),
        ("service principal", new Regex(@"^[0-9a-zA-Z_.]+\z", RegexOptions.CultureInvariant), Patterns.IsServicePrincipal, "aZ09_.-/ \n",
            ["connect.amazonaws.com", "", "a\n", "a-b", "é"]),
        ("principal arn", new Regex(@"^arn:aws:iam::[0-9]{12}:(root|(user|role)/.*)\z", RegexOptions.CultureInvariant | RegexOptions.Singleline), Patterns.IsPrincipalArn, "0123456789:/rotuseal\n",
            ["arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:root\n", "arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:user/a\nb",
             "arn:aws:iam::12345678901:root", "arn:aws:iam::1234567890123:root", "arn:aws:iam::123456789012:rootx", "arn:aws:iam::123456789012:group/x",
             "arn:aws:iam::123456789012role/x", "arn:aws:iam::", "arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:root"]),
        ("action", new Regex(@"lex:[a-zA-Z*]+\z", RegexOptions.CultureInvariant), Patterns.IsAction, "lex:*aZ:\n -",
            ["lex:RecognizeText", "lex:*", "lex:", "xlex:Foo", "lex:a:lex:B", "lex:lex:", "lex:a\n", "lex:Re-cognize", "Lex:A", "ex:A", ":A"]),
    ];

    [Fact]
    public void EachCheck_AgreesWithItsRegularExpression()
    {
        foreach (var (name, reference, check, alphabet, seeds) in Cases)
        {
            foreach (string seed in seeds)
            {
                Assert.True(reference.IsMatch(seed) == check(seed), $"{name}: '{Escape(seed)}' regex {reference.IsMatch(seed)}, check {check(seed)}");
            }

            Gen.String[Gen.Char[alphabet], 0, 24].Select(Gen.OneOfConst(seeds.Where(s => s.Length > 0).ToArray()), Gen.Int[0, 2], (random, seed, mode) => mode switch
            {
                0 => random,
                1 => seed + random,
                _ => seed[..(seed.Length / 2)] + random,
            }).Sample(s => Assert.True(reference.IsMatch(s) == check(s), $"{name}: '{Escape(s)}' regex {reference.IsMatch(s)}, check {check(s)}"), iter: 20_000);
        }
    }

    private static string Escape(string s) => s.Replace("\n", "\\n", StringComparison.Ordinal);
}
