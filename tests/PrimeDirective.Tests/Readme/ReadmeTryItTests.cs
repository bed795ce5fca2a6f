using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Readme;

/// <summary>
/// The README's "Run it" section, run as a new user would: its <c>dotnet run</c> command starts the gateway, and its
/// try-it block, executed by bash with <c>set -euo pipefail</c>, must succeed step by step and end with the signed-up
/// person's own data from <c>/v1/me</c>.
/// </summary>
public sealed partial class ReadmeTryItTests
{
    private static readonly TimeSpan s_startDeadline = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_scriptDeadline = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task The_try_it_block_works_exactly_as_written_against_the_gateway_started_as_written()
    {
        var repository = RepositoryRoot();
        var section = RunItSection(await File.ReadAllTextAsync(Path.Combine(repository, "README.md")));
        var blocks = ShellBlocks(section);
        Assert.True(blocks.Count >= 2, "\"Run it\" needs the run command's block and at least one try-it block.");
        var run = Assert.Single(Commands(blocks[0]));
        var readmePort = UrlPort().Match(run) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"The run command names no --urls http://127.0.0.1:<port>: {run}");
        var tryIt = blocks.Skip(1).SelectMany(Commands).ToList();
        Assert.All(tryIt.Where(command => command.Contains("curl ", StringComparison.Ordinal)), command =>
            Assert.True(command.Contains("--fail-with-body", StringComparison.Ordinal), $"A README curl must fail loudly: {command}"));
        var email = SignUpEmail().Match(string.Join('\n', tryIt)) is { Success: true } signUp
            ? signUp.Groups[1].Value
            : throw new InvalidOperationException("The try-it block signs nobody up.");

        // A directory of its own plays the user's working directory: its ./.outbox is isolated from parallel tests
        // and from a developer's own, and nothing is left in the repository.
        var workingDirectory = Directory.CreateTempSubdirectory("pd-readme-").FullName;
        var projectOutbox = Path.Combine(repository, "src", "Gateway", ".outbox");
        var projectOutboxBefore = Directory.Exists(projectOutbox);
        var port = FreePort.Next();
        var gatewayOutput = new StringBuilder();
        using var gateway = StartGateway(RunArguments(run, repository, port), workingDirectory, gatewayOutput);
        try
        {
            await WaitUntilReadyAsync(gateway, port, gatewayOutput);

            var script = Script(tryIt.Select(command => command.Replace($"127.0.0.1:{readmePort}", $"127.0.0.1:{port}", StringComparison.Ordinal)));
            var (exitCode, output, errors) = await RunBashAsync(script, workingDirectory);
            Assert.True(exitCode == 0, $"A README step failed (bash exit {exitCode}).\nstdout:\n{output}\nstderr:\n{errors}\ngateway:\n{Snapshot(gatewayOutput)}");

            // The answer of the last step, /v1/me: the person the block signed up, verified by the code from ./.outbox.
            var me = output[(output.LastIndexOf(StepMarker, StringComparison.Ordinal) + StepMarker.Length)..].Trim();
            using var answer = JsonDocument.Parse(me);
            Assert.Equal(email, answer.RootElement.GetProperty("account").GetProperty("profile").GetProperty("email").GetString());
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(workingDirectory, ".outbox"), "*.eml"));
            Assert.False(!projectOutboxBefore && Directory.Exists(projectOutbox), "The code went to src/Gateway/.outbox, not to the user's ./.outbox.");

            // The run command prints the Privacy Center's address, and the page is there.
            var privacyCenter = $"http://127.0.0.1:{port}/privacy/";
            Assert.Contains($"Privacy Center: {privacyCenter}", Snapshot(gatewayOutput), StringComparison.Ordinal);
            using var pages = new HttpClient();
            using var front = await pages.GetAsync(new Uri(privacyCenter));
            Assert.Equal(System.Net.HttpStatusCode.OK, front.StatusCode);
            Assert.Equal("text/html", front.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync();
            Directory.Delete(workingDirectory, recursive: true);
            if (!projectOutboxBefore && Directory.Exists(projectOutbox))
            {
                // Only a gateway that wrongly wrote beside the project creates it: it must not stay in the repository.
                Directory.Delete(projectOutbox, recursive: true);
            }
        }
    }

    private const string StepMarker = "#readme-step#";

    /// <summary>The README's commands, each announced by a marker line so the last step's answer can be told apart.</summary>
    private static string Script(IEnumerable<string> commands)
    {
        var script = new StringBuilder("set -euo pipefail\n");
        foreach (var command in commands)
        {
            script.Append(CultureInfo.InvariantCulture, $"printf '\\n%s\\n' '{StepMarker}'\n{command}\n");
        }

        return script.ToString();
    }

    /// <summary>
    /// The README's run command with two additions: <c>-c &lt;this build's configuration&gt; --no-build</c> (the test
    /// build already built the gateway; a second, Debug build on a shared machine would take minutes and race other
    /// builds) and the project path made absolute (the command runs in a scratch directory, see above). It is still
    /// <c>dotnet run</c>, so launch settings, the working directory and the content root are exactly a user's.
    /// </summary>
    private static List<string> RunArguments(string run, string repository, int port)
    {
        var words = run.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(words is ["dotnet", "run", ..], $"The run command is not `dotnet run ...`: {run}");
        var arguments = new List<string> { "run", "-c", Configuration(), "--no-build" };
        for (var i = 2; i < words.Length; i++)
        {
            var word = words[i];
            if (words[i - 1] == "--project")
            {
                word = Path.Combine(repository, word);
            }
            else if (words[i - 1] == "--urls")
            {
                word = UrlPort().Replace(word, $"http://127.0.0.1:{port}");
            }

            arguments.Add(word);
        }

        return arguments;
    }

    private static Process StartGateway(List<string> arguments, string workingDirectory, StringBuilder output)
    {
        var start = new ProcessStartInfo(DotNet())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        CleanEnvironment(start);

        // The README's silo ports are one per machine; parallel tests and a developer's own gateway must not collide.
        start.Environment["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        start.Environment["Orleans__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(output, line.Data);
        process.ErrorDataReceived += (_, line) => Append(output, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilReadyAsync(Process gateway, int port, StringBuilder output)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.ReturnsAsync(
            async () =>
            {
                if (gateway.HasExited)
                {
                    throw new InvalidOperationException($"The gateway exited with {gateway.ExitCode} while starting:\n{Snapshot(output)}");
                }

                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                return response.StatusCode;
            },
            status => status == HttpStatusCode.OK,
            s_startDeadline,
            "the gateway started by the README's command answers /health/ready");
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunBashAsync(string script, string workingDirectory)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        CleanEnvironment(start);
        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync();
        var errors = bash.StandardError.ReadToEndAsync();
        await bash.StandardInput.WriteAsync(script);
        bash.StandardInput.Close();
        using var deadline = new CancellationTokenSource(s_scriptDeadline);
        try
        {
            await bash.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            bash.Kill(entireProcessTree: true);
            throw new TimeoutException($"The try-it block did not finish within {s_scriptDeadline}:\n{await output}\n{await errors}");
        }

        return (bash.ExitCode, await output, await errors);
    }

    /// <summary>A new user's shell carries no service configuration: none of the test run's leaks into the README's run.</summary>
    private static void CleanEnvironment(ProcessStartInfo start)
    {
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (ConfigurationVariable().IsMatch(name))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
    }

    private static string RunItSection(string readme)
    {
        var start = readme.IndexOf("\n## Run it\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no \"## Run it\" section.");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    private static List<string> ShellBlocks(string section) =>
        [.. ShellBlock().Matches(section).Select(match => match.Groups[1].Value)];

    /// <summary>The block's commands: blank lines and comments dropped, backslash continuations joined.</summary>
    private static IEnumerable<string> Commands(string block) =>
        block.Replace("\\\n", " ", StringComparison.Ordinal)
            .Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'));

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Actors.sln")) && File.Exists(Path.Combine(directory.FullName, "README.md")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No repository root above {AppContext.BaseDirectory}.");
    }

    /// <summary>The configuration this test assembly was built in; the gateway it references was built in the same.</summary>
    private static string Configuration() =>
        typeof(ReadmeTryItTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>The <c>dotnet</c> that runs the tests (set by <c>dotnet test</c>), else the one on the path.</summary>
    private static string DotNet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"http://127\.0\.0\.1:(\d+)")]
    private static partial Regex UrlPort();

    [GeneratedRegex(@"""email"":""([^""]+)""")]
    private static partial Regex SignUpEmail();

    [GeneratedRegex(@"^(ConnectionStrings|Orleans|Regions|Privacy|Auth|Outbox|Accounts|Requests|Retention|Gateway|Logging)__|^(ASPNETCORE|DOTNET)_(URLS|ENVIRONMENT|CONTENTROOT)$|^PD_", RegexOptions.IgnoreCase)]
    private static partial Regex ConfigurationVariable();
}
