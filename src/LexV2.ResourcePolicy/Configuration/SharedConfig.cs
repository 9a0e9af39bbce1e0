using System.Globalization;
using System.Text;

namespace LexV2.ResourcePolicy.Configuration;

/// <summary>
/// The settings a user configures for every AWS SDK and the AWS CLI at once: environment variables and one profile of the
/// shared config file (<c>AWS_CONFIG_FILE</c>, else <c>~/.aws/config</c>) merged with the same profile of the shared credentials
/// file, read exactly as the AWS CLI (botocore) reads them, so that wherever the CLI finds a profile, a region or an endpoint,
/// this client finds the same one. Read once per client. Only the keys this client uses are interpreted: <c>region</c>,
/// <c>endpoint_url</c>, <c>services</c> (with the <c>lex_models_v2</c> sub-settings of the named <c>[services ...]</c>
/// section), <c>ignore_configured_endpoint_urls</c>, <c>use_fips_endpoint</c>, <c>use_dualstack_endpoint</c>,
/// <c>max_attempts</c> and <c>retry_mode</c>.
/// </summary>
/// <remarks>
/// <para>
/// The profile is the client's <c>Profile</c> option, else <c>AWS_PROFILE</c>, else <c>AWS_DEFAULT_PROFILE</c> (the AWS SDK
/// for .NET's variable first; botocore reads <c>AWS_DEFAULT_PROFILE</c> first when both are set), else <c>default</c>; a profile chosen by name must exist in one of the two files. File paths expand environment
/// variables (<c>$HOME</c>, <c>${HOME}</c>) and a leading <c>~</c>.
/// </para>
/// <para>
/// A file botocore refuses (a key before any section, a section or key twice, a line that is neither a section, a key nor a
/// comment, a sub-setting without <c>=</c>) is refused here too, naming the file and line, when the client first needs a value
/// from it; so is a profile that names a missing services section, or a setting with sub-settings where a value is expected.
/// </para>
/// </remarks>
internal sealed class SharedConfig
{
    /// <summary>The service id of Lex Models V2 in the AWS SDKs' configuration keys.</summary>
    public const string ServiceKey = "lex_models_v2";

    /// <summary>The environment variable of the service-specific endpoint.</summary>
    public const string ServiceEndpointVariable = "AWS_ENDPOINT_URL_LEX_MODELS_V2";

    private readonly Func<string, string?> _environment;
    private readonly IReadOnlyDictionary<string, IniValue> _profile;
    private readonly IReadOnlyDictionary<string, IniSection> _services;
    private readonly InvalidOperationException? _problem;

    private SharedConfig(
        string profileName,
        string profileSource,
        string? configPath,
        IReadOnlyDictionary<string, IniValue> profile,
        IReadOnlyDictionary<string, IniSection> services,
        InvalidOperationException? problem,
        string? credentialProfile,
        string? credentialsPath,
        Func<string, string?> environment)
    {
        CredentialsPath = credentialsPath;
        ProfileName = profileName;
        ProfileSource = profileSource;
        ConfigPath = configPath;
        _profile = profile;
        _services = services;
        _problem = problem;
        CredentialProfile = credentialProfile;
        _environment = environment;
    }

    /// <summary>The profile read: the client's <c>Profile</c> option, else <c>AWS_PROFILE</c>, else <c>AWS_DEFAULT_PROFILE</c>, else <c>default</c>.</summary>
    public string ProfileName { get; }

    /// <summary>What chose <see cref="ProfileName"/>: <c>LexPolicyClientOptions.Profile</c>, <c>AWS_PROFILE</c>, <c>AWS_DEFAULT_PROFILE</c> or <c>default</c>.</summary>
    public string ProfileSource { get; }

    /// <summary>The config file read, or <see langword="null"/> when there is none.</summary>
    public string? ConfigPath { get; }

    /// <summary>
    /// The profile AWSSDK.Core's credential chain must be handed, because on its own it would read another one (it knows only
    /// <c>AWS_PROFILE</c>): the profile <c>AWS_DEFAULT_PROFILE</c> chose, unless keys in the environment come first anyway.
    /// <see langword="null"/> when the chain picks the same profile by itself.
    /// </summary>
    public string? CredentialProfile { get; }

    /// <summary>
    /// The shared credentials file as the AWS CLI finds it (<c>AWS_SHARED_CREDENTIALS_FILE</c> expanded, else
    /// <c>~/.aws/credentials</c>), when it exists: where a named profile's keys are read.
    /// </summary>
    public string? CredentialsPath { get; }

    /// <summary>An environment variable's value, trimmed; <see langword="null"/> when unset or blank.</summary>
    public string? Environment(string name) => _environment(name) is { } v && v.Trim() is { Length: > 0 } t ? t : null;

    /// <summary>
    /// A setting of the profile, or <see langword="null"/> when the profile does not have it (or has it empty). Throws when the
    /// file cannot be read as the AWS CLI reads it, when the chosen profile does not exist, or when the setting has indented
    /// sub-settings instead of a value.
    /// </summary>
    public string? Value(string key)
    {
        if (_problem is not null)
        {
            throw new InvalidOperationException(_problem.Message, _problem);
        }

        if (!_profile.TryGetValue(key, out IniValue? value))
        {
            return null;
        }

        return value.Text is { } text ? (text.Length > 0 ? text : null) : throw new InvalidOperationException(
            $"{key} of profile '{ProfileName}' in {ConfigPath} has indented sub-settings where a value is expected (the AWS CLI refuses it too).");
    }

    /// <summary>Where a setting of the profile was read, for messages.</summary>
    public string Source(string key) => $"{key} of profile '{ProfileName}' in {ConfigPath}";

    /// <summary>
    /// The <c>lex_models_v2</c> sub-settings of the services section the profile names (<c>services = name</c>), as botocore
    /// looks them up: <see langword="null"/> when the profile names no services section or the section has no
    /// <c>lex_models_v2</c>; an error when the named section does not exist or <c>lex_models_v2</c> has a plain value.
    /// </summary>
    public (IReadOnlyDictionary<string, string> Settings, string SectionName)? ServiceSection()
    {
        if (Value("services") is not { } name)
        {
            return null;
        }

        if (!_services.TryGetValue(name, out IniSection? section))
        {
            throw new InvalidOperationException(
                $"Profile '{ProfileName}' names the services section '{name}' (services = {name}), which is not in {ConfigPath}; the AWS CLI refuses it too.");
        }

        if (!section.Values.TryGetValue(ServiceKey, out IniValue? service))
        {
            return null;
        }

        return service.Nested is { } nested
            ? (nested, name)
            : throw new InvalidOperationException(
                $"{ServiceKey} in the services section '{name}' of {ConfigPath} has a plain value; it takes indented sub-settings such as 'endpoint_url = http://...' on the lines below it.");
    }

    /// <summary>Reads the environment and the chosen profile of the shared config and credentials files.</summary>
    /// <param name="profile">An explicit profile name; <see langword="null"/> for <c>AWS_PROFILE</c>, <c>AWS_DEFAULT_PROFILE</c> or <c>default</c>.</param>
    /// <param name="environment">Reads an environment variable (<see langword="null"/> when unset); tests pass their own.</param>
    public static SharedConfig Load(string? profile = null, Func<string, string?>? environment = null)
    {
        environment ??= System.Environment.GetEnvironmentVariable;
        string? Named(string variable) => environment(variable) is { } v && v.Trim() is { Length: > 0 } t ? t : null;

        (string name, string source) =
            profile is { Length: > 0 } ? (profile, "LexPolicyClientOptions.Profile") :
            Named("AWS_PROFILE") is { } envProfile ? (envProfile, "AWS_PROFILE") :
            Named("AWS_DEFAULT_PROFILE") is { } defaultProfile ? (defaultProfile, "AWS_DEFAULT_PROFILE") :
            ("default", "default");

        // AWSSDK.Core's chain reads AWS_PROFILE (else default) and knows nothing of AWS_DEFAULT_PROFILE: hand it the choice,
        // unless keys in the environment come first in both chains anyway.
        string? credentialProfile =
            source == "AWS_DEFAULT_PROFILE" && name != (Named("AWS_PROFILE") ?? "default") &&
            (Named("AWS_ACCESS_KEY_ID") is null || Named("AWS_SECRET_ACCESS_KEY") is null)
                ? name
                : null;

        string? configPath = FilePath(environment, "AWS_CONFIG_FILE", "config");
        string? credentialsPath = FilePath(environment, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
        bool hasConfig = configPath is { Length: > 0 } && File.Exists(configPath);
        bool hasCredentials = credentialsPath is { Length: > 0 } && File.Exists(credentialsPath);
        var values = new Dictionary<string, IniValue>(StringComparer.Ordinal);
        var services = new Dictionary<string, IniSection>(StringComparer.Ordinal);
        InvalidOperationException? problem = null;
        try
        {
            var profiles = new Dictionary<string, IniSection>(StringComparer.Ordinal);
            if (hasConfig)
            {
                foreach (var (sectionName, section) in Read(configPath!).Sections)
                {
                    // botocore's build_profile_map: prefixes tested as written, names split with shell rules.
                    if (sectionName.StartsWith("profile", StringComparison.Ordinal))
                    {
                        if (ShellWords(sectionName) is [_, var profileName])
                        {
                            profiles[profileName] = section;
                        }
                    }
                    else if (sectionName.StartsWith("sso-session", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    else if (sectionName.StartsWith("services", StringComparison.Ordinal))
                    {
                        if (ShellWords(sectionName) is [_, var servicesName])
                        {
                            services[servicesName] = section;
                        }
                    }
                    else if (sectionName == "default")
                    {
                        profiles["default"] = section;
                    }
                }
            }

            // The credentials file's sections are profiles too (named as written); their keys override the config file's.
            var fromCredentials = new HashSet<string>(StringComparer.Ordinal);
            if (hasCredentials)
            {
                foreach (var (sectionName, section) in Read(credentialsPath!).Sections)
                {
                    fromCredentials.Add(sectionName);
                    profiles[sectionName] = profiles.TryGetValue(sectionName, out var existing) ? existing.MergedWith(section) : section;
                }
            }

            if (profiles.TryGetValue(name, out IniSection? chosen))
            {
                foreach (var (key, value) in chosen.Values)
                {
                    values[key] = value;
                }
            }
            else if (source != "default")
            {
                throw new InvalidOperationException(
                    $"AWS profile '{name}' ({source}) is in neither the config file ({(hasConfig ? configPath : "none")}) nor the credentials file ({(fromCredentials.Count > 0 ? credentialsPath : "none")}).");
            }
        }
        catch (InvalidOperationException e)
        {
            problem = e;
        }

        return new SharedConfig(name, source, hasConfig ? configPath : null, values, services, problem, credentialProfile, hasCredentials ? credentialsPath : null, environment);
    }

    /// <summary>
    /// Reads a boolean setting as botocore does (<c>ensure_boolean</c>): the environment variable when it is set (even empty),
    /// else the profile's key; <see langword="true"/> only for <c>true</c> in any case, <see langword="false"/> for anything else.
    /// Never an error.
    /// </summary>
    public bool Bool(string environmentVariable, string profileKey)
    {
        if (_environment(environmentVariable) is { } env)
        {
            return string.Equals(env, "true", StringComparison.OrdinalIgnoreCase);
        }

        if (_problem is not null)
        {
            _ = Value(profileKey); // throws the file's problem
        }

        return _profile.TryGetValue(profileKey, out IniValue? value) && string.Equals(value.Text, "true", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The largest shared config or credentials file read (real ones are a few kilobytes; a device such as <c>/dev/zero</c> never ends).</summary>
    internal const int MaxFileChars = 1024 * 1024;

    private static IniFile Read(string path)
    {
        string text;
        try
        {
            // botocore reads a file only when it is a regular one (os.path.isfile): a FIFO or a device is no config to it. .NET
            // does not tell them apart, but their size is 0, and opening a FIFO for reading would block until a writer comes.
            // A file of size 0 (the final target's, for a symbolic link) is therefore read as empty without being opened (a
            // regular empty file reads the same).
            if ((File.ResolveLinkTarget(path, returnFinalTarget: true) ?? new FileInfo(path)) is FileInfo { Length: 0 })
            {
                return IniFile.Parse(string.Empty, path);
            }

            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var read = new StringBuilder();
            char[] buffer = new char[8192];
            for (int n; (n = reader.Read(buffer, 0, buffer.Length)) > 0;)
            {
                read.Append(buffer, 0, n);
                if (read.Length > MaxFileChars)
                {
                    throw new InvalidOperationException($"The AWS config file '{path}' is larger than {MaxFileChars / 1024} KB, which no config file is; it is not read.");
                }
            }

            text = read.ToString();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The AWS config file '{path}' cannot be read: {ex.Message}", ex);
        }

        return IniFile.Parse(text, path);
    }

    /// <summary>
    /// A shared file's path as botocore finds it: the variable's value when it is set (even empty, which names no file), with
    /// environment variables (<c>$NAME</c>, <c>${NAME}</c>) and then a leading <c>~</c> expanded; else <c>~/.aws/{file}</c>. The
    /// home directory is <c>HOME</c>, else <c>USERPROFILE</c>.
    /// </summary>
    private static string? FilePath(Func<string, string?> environment, string variable, string file)
    {
        string? home = environment("HOME") is { Length: > 0 } h ? h
            : environment("USERPROFILE") is { Length: > 0 } u ? u
            : System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile, System.Environment.SpecialFolderOption.DoNotVerify) is { Length: > 0 } p ? p : null;
        if (environment(variable) is not { } configured)
        {
            return home is null ? null : Path.Combine(home, ".aws", file);
        }

        string path = ExpandVariables(configured, environment);
        bool tilde = path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal);
        return tilde && home is not null ? Path.Combine(home, path.Length > 2 ? path[2..] : string.Empty) : path;
    }

    /// <summary>Python's <c>os.path.expandvars</c> (POSIX): <c>$NAME</c> and <c>${NAME}</c> replaced when set, left as they are otherwise.</summary>
    internal static string ExpandVariables(string path, Func<string, string?> environment)
    {
        if (!path.Contains('$', StringComparison.Ordinal))
        {
            return path;
        }

        var result = new StringBuilder(path.Length);
        int i = 0;
        while (i < path.Length)
        {
            int dollar = path.IndexOf('$', i);
            if (dollar < 0)
            {
                break;
            }

            result.Append(path, i, dollar - i);
            int end;
            string? name = null;
            if (dollar + 1 < path.Length && path[dollar + 1] == '{' && path.IndexOf('}', dollar + 2) is int close and >= 0)
            {
                name = path[(dollar + 2)..close];
                end = close + 1;
            }
            else
            {
                end = dollar + 1;
                while (end < path.Length && (char.IsAsciiLetterOrDigit(path[end]) || path[end] == '_'))
                {
                    end++;
                }

                if (end > dollar + 1)
                {
                    name = path[(dollar + 1)..end];
                }
            }

            if (name is not null && environment(name) is { } value)
            {
                result.Append(value);
            }
            else
            {
                result.Append(path, dollar, Math.Max(end, dollar + 1) - dollar);
            }

            i = Math.Max(end, dollar + 1);
        }

        result.Append(path, i, path.Length - i);
        return result.ToString();
    }

    /// <summary>
    /// Python's <c>shlex.split</c> (POSIX mode, no comments): words split on whitespace; single quotes keep everything, double
    /// quotes keep everything but <c>\\</c>, <c>\"</c>; a backslash outside quotes escapes the next character. <see langword="null"/>
    /// where shlex raises (an unclosed quote, a trailing backslash): botocore then ignores the section.
    /// </summary>
    internal static List<string>? ShellWords(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (c == '\\')
            {
                if (++i >= text.Length)
                {
                    return null;
                }

                word.Append(text[i]);
            }
            else if (c is '\'' or '"')
            {
                int close = i + 1;
                for (; close < text.Length && text[close] != c; close++)
                {
                    if (c == '"' && text[close] == '\\' && close + 1 < text.Length && text[close + 1] is '\\' or '"')
                    {
                        close++;
                    }

                    word.Append(text[close]);
                }

                if (close >= text.Length)
                {
                    return null;
                }

                i = close;
            }
            else
            {
                word.Append(c);
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>A value of a section: plain text, or the indented sub-settings under a <c>key =</c> line (keys as written).</summary>
    internal sealed record IniValue(string? Text, IReadOnlyDictionary<string, string>? Nested);

    /// <summary>One section: its keys (lower-cased) and values.</summary>
    internal sealed class IniSection
    {
        public Dictionary<string, IniValue> Values { get; } = new(StringComparer.Ordinal);

        /// <summary>This section's keys overridden by <paramref name="other"/>'s (the credentials file over the config file).</summary>
        public IniSection MergedWith(IniSection other)
        {
            var merged = new IniSection();
            foreach (var (k, v) in Values)
            {
                merged.Values[k] = v;
            }

            foreach (var (k, v) in other.Values)
            {
                merged.Values[k] = v;
            }

            return merged;
        }
    }

    /// <summary>
    /// An INI file as botocore reads it: Python's <c>configparser.RawConfigParser</c> with its defaults, then botocore's parsing
    /// of indented sub-settings. <c>=</c> and <c>:</c> both separate a key from its value (the first one on the line); only whole
    /// lines starting with <c>#</c> or <c>;</c> are comments (a <c>#</c> after a value is part of it); keys are lower-cased; a
    /// section header is everything between the first <c>[</c> and the last <c>]</c> of its line (<c>[default]#note</c> is
    /// <c>default</c>), kept as written; a line indented deeper than its key line continues the value (blank lines and comment
    /// lines inside are skipped); a value that starts on the line below its key (<c>key =</c> then indented lines) holds
    /// <c>name = value</c> sub-settings, names kept as written, cut at every line break Python's <c>str.splitlines</c> knows;
    /// <c>[DEFAULT]</c>'s keys apply to every section. White space is Python's (<see cref="IsPythonSpace"/>).
    /// </summary>
    internal sealed class IniFile
    {
        private readonly List<(string Name, IniSection Section)> _sections = [];

        /// <summary>The sections in the order they first appear.</summary>
        public IReadOnlyList<(string Name, IniSection Section)> Sections => _sections;

        public IniSection? Section(string name) => _sections.FirstOrDefault(s => s.Name == name).Section;

        /// <summary>Parses the file's text; a file the AWS CLI refuses is refused with the line and the rule.</summary>
        public static IniFile Parse(string text, string path = "the AWS config file")
        {
            var raw = new Dictionary<string, Dictionary<string, RawValue>>(StringComparer.Ordinal);
            var order = new List<string>();
            var defaults = new Dictionary<string, RawValue>(StringComparer.Ordinal);
            var seenKeys = new HashSet<(string, string)>();
            var bad = new List<int>();
            Dictionary<string, RawValue>? section = null;
            string? sectionName = null;
            RawValue? current = null;
            int indentLevel = 0;
            int number = 0;
            foreach (string line in Lines(text))
            {
                number++;
                string stripped = Strip(line);
                bool comment = stripped.StartsWith('#') || stripped.StartsWith(';');
                if (comment || stripped.Length == 0)
                {
                    if (!comment && current is not null)
                    {
                        current.Lines.Add((string.Empty, number)); // a blank line inside a value
                    }

                    continue;
                }

                int indent = line.Length - StripStart(line).Length;
                if (current is not null && indent > indentLevel)
                {
                    current.Lines.Add((stripped, number));
                    continue;
                }

                indentLevel = indent;
                int close = stripped.LastIndexOf(']');
                if (stripped[0] == '[' && close >= 2)
                {
                    sectionName = stripped[1..close];
                    if (raw.ContainsKey(sectionName))
                    {
                        throw Refused(path, number, $"the section [{sectionName}] appears twice");
                    }

                    if (sectionName == "DEFAULT")
                    {
                        section = defaults;
                    }
                    else
                    {
                        section = raw[sectionName] = new Dictionary<string, RawValue>(StringComparer.Ordinal);
                        order.Add(sectionName);
                    }

                    current = null;
                    continue;
                }

                if (section is null)
                {
                    throw Refused(path, number, "the line comes before any section header (such as [default])");
                }

                int delimiter = stripped.AsSpan().IndexOfAny('=', ':');
                string key = delimiter > 0 ? StripEnd(stripped[..delimiter]).ToLowerInvariant() : string.Empty;
                if (key.Length == 0)
                {
                    bad.Add(number);
                    continue;
                }

                if (!seenKeys.Add((sectionName!, key)))
                {
                    throw Refused(path, number, $"the key '{key}' appears twice in the section [{sectionName}]");
                }

                current = section[key] = new RawValue();
                current.Lines.Add((Strip(stripped[(delimiter + 1)..]), number));
            }

            if (bad.Count > 0)
            {
                throw Refused(path, bad[0], $"{(bad.Count > 1 ? $"lines {string.Join(", ", bad)} are" : "the line is")} neither a section header ([name]), a setting (key = value) nor a comment");
            }

            var file = new IniFile();
            foreach (string name in order)
            {
                var result = new IniSection();
                foreach (var (key, value) in raw[name].Concat(defaults.Where(d => !raw[name].ContainsKey(d.Key))))
                {
                    result.Values[key] = value.Resolve(path, name, key);
                }

                file._sections.Add((name, result));
            }

            return file;
        }

        /// <summary>The lines of the file as Python's universal newlines cut them: at LF, CR and CR LF only.</summary>
        private static IEnumerable<string> Lines(string text) => Split(text, static c => c is '\n' or '\r');

        internal static InvalidOperationException Refused(string path, int line, string rule) =>
            new($"The AWS config file {path} is not read the way the AWS CLI reads it, which refuses it too: line {line}: {rule}.");

        /// <summary>A value as its lines were read: the key line's text, then each continuation (blank ones included).</summary>
        private sealed class RawValue
        {
            public List<(string Text, int Line)> Lines { get; } = [];

            public IniValue Resolve(string path, string section, string key)
            {
                // configparser joins the lines with newlines and trims the end; botocore reads a value that starts with a
                // newline (nothing after the '=' on the key line) as sub-settings.
                int last = Lines.FindLastIndex(l => l.Text.Length > 0);
                if (!(Lines[0].Text.Length == 0 && last > 0))
                {
                    return new IniValue(string.Join('\n', Lines.Take(Math.Max(last, 0) + 1).Select(l => l.Text)), null);
                }

                // botocore splits the value with Python's str.splitlines, which breaks lines at more characters than the file's
                // own line ends (see SubLines).
                var nested = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (line, number) in Lines.Skip(1))
                {
                    foreach (string piece in SubLines(line))
                    {
                        string text = Strip(piece);
                        if (text.Length == 0)
                        {
                            continue;
                        }

                        int eq = text.IndexOf('=', StringComparison.Ordinal);
                        if (eq < 0)
                        {
                            throw Refused(path, number, $"a sub-setting of '{key}' in the section [{section}] must be 'name = value' (with '=')");
                        }

                        nested[Strip(text[..eq])] = Strip(text[(eq + 1)..]);
                    }
                }

                return new IniValue(null, nested);
            }
        }
    }

    /// <summary>
    /// Python's <c>str.isspace</c>, the white space configparser strips from lines, keys and values and counts as indentation:
    /// .NET's white space and the information separators U+001C-U+001F.
    /// </summary>
    internal static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f';

    /// <summary>Python's <c>str.strip()</c>.</summary>
    internal static string Strip(string text) => StripEnd(StripStart(text));

    private static string StripStart(string text)
    {
        int start = 0;
        while (start < text.Length && IsPythonSpace(text[start]))
        {
            start++;
        }

        return start == 0 ? text : text[start..];
    }

    private static string StripEnd(string text)
    {
        int end = text.Length;
        while (end > 0 && IsPythonSpace(text[end - 1]))
        {
            end--;
        }

        return end == text.Length ? text : text[..end];
    }

    /// <summary>
    /// The lines of a text as Python's <c>str.splitlines</c> cuts them: at LF, CR, CR LF, and also at a vertical tab, a form
    /// feed, U+001C-U+001E, U+0085, U+2028 and U+2029 (which the file's reader leaves inside a line).
    /// </summary>
    internal static IEnumerable<string> SubLines(string text) =>
        Split(text, static c => c is '\n' or '\r' or '\v' or '\f' or '\u001c' or '\u001d' or '\u001e' or '\u0085' or '\u2028' or '\u2029');

    /// <summary>Cuts a text at every character <paramref name="isBreak"/> names, a CR LF pair counting as one break.</summary>
    private static IEnumerable<string> Split(string text, Func<char, bool> isBreak)
    {
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (isBreak(text[i]))
            {
                yield return text[start..i];
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    /// <summary>Parses a whole number, naming the source when it is not one.</summary>
    internal static int ParseInt(string value, string source) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new InvalidOperationException($"{source} is '{value}': expected a whole number.");
}
