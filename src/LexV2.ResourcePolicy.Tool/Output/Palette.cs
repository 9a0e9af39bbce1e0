namespace LexV2.ResourcePolicy.Tool.Output;

/// <summary>
/// Colours for <c>+</c> (green), <c>-</c> (red) and <c>~</c> (yellow) lines, as ANSI escapes; only at a terminal, and never with
/// <c>--no-color</c> or <c>NO_COLOR</c> (see <see cref="Invocation.Color"/>).
/// </summary>
internal sealed class Palette(bool enabled)
{
    public static readonly Palette None = new(false);

    public string Add(string text) => Paint("32", text);

    public string Remove(string text) => Paint("31", text);

    public string Change(string text) => Paint("33", text);

    private string Paint(string code, string text) => enabled ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
