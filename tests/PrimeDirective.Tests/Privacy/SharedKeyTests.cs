using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrimeDirective.Gateway.Hosting;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Privacy;

/// <summary>
/// Wherever more than one process shares data, a random per-process key would make grain keys (and tokens) disagree
/// between them: such a process refuses to start, naming the missing key. Only the one in-memory process may draw its own.
/// </summary>
public sealed class SharedKeyTests
{
    private static readonly TimeSpan s_startDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Each key a client-mode gateway shares with the silos: the setting removed, what the refusal names, and another key it must not name.</summary>
    public static TheoryData<string, string, string> SharedKeys => new()
    {
        { "Privacy:PseudonymKey", "Privacy:PseudonymKey", "Auth:SigningKey" },
        { "Auth:SigningKey", "Auth:SigningKey", "Privacy:PseudonymKey" },
        { $"Receipts:Keys:{TestReceiptKeys.Id}", "Receipts:Keys", "Auth:SigningKey" },
    };

    [Theory]
    [MemberData(nameof(SharedKeys))]
    public async Task A_client_mode_gateway_without_a_shared_key_refuses_to_start_and_names_that_key(string removed, string named, string notNamed)
    {
        var settings = ClientGateway();
        Assert.True(settings.Remove(removed), $"the client-mode settings have {removed}");
        await using var gateway = BuildGateway(settings);

        var refused = await RefusesToStartAsync(gateway);

        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(notNamed, refused.Message, StringComparison.Ordinal);
        Assert.False(gateway.Lifetime.ApplicationStarted.IsCancellationRequested, "The gateway must not have started.");
    }

    [Fact]
    public async Task A_gateway_whose_receipt_key_is_not_Ed25519_refuses_to_start_without_echoing_it()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var settings = ClientGateway();
        settings[$"Receipts:Keys:{TestReceiptKeys.Id}"] = p256.ExportPkcs8PrivateKeyPem();
        await using var gateway = BuildGateway(settings);

        var refused = await RefusesToStartAsync(gateway);

        Assert.Contains("Receipts:Keys must be Ed25519", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", refused.Message, StringComparison.Ordinal);
        Assert.False(gateway.Lifetime.ApplicationStarted.IsCancellationRequested, "The gateway must not have started.");
    }

    [Fact]
    public async Task A_client_mode_gateway_with_both_keys_passes_the_start_checks()
    {
        await using var gateway = BuildGateway(ClientGateway());

        gateway.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public async Task The_single_in_memory_gateway_may_draw_its_own_keys()
    {
        var settings = ClientGateway();
        settings.Remove("Privacy:PseudonymKey");
        settings.Remove("Auth:SigningKey");
        settings.Remove($"Receipts:Keys:{TestReceiptKeys.Id}");
        settings["Orleans:Mode"] = "cohosted";
        await using var gateway = BuildGateway(settings);

        gateway.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.True(gateway.Services.GetRequiredService<PrimeDirective.Grains.Interfaces.Receipts.ReceiptKeyRing>().IsEphemeral, "an ephemeral receipt key, said so");
    }

    [Fact]
    public async Task A_silo_process_without_a_pseudonym_key_refuses_to_start_even_in_memory()
    {
        // src/Silo's own host, in memory (no connection string): it still serves a gateway in another process.
        using var silo = SiloHost.CreateBuilder(SiloArguments(key: null)).Build();

        var refused = await RefusesToStartAsync(silo);

        Assert.Contains("Privacy:PseudonymKey", refused.Message, StringComparison.Ordinal);
        Assert.False(silo.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.IsCancellationRequested, "The silo must not have started.");
    }

    [Fact]
    public void A_silo_process_with_a_pseudonym_key_passes_the_start_checks()
    {
        using var silo = SiloHost.CreateBuilder(SiloArguments(NewKey())).Build();

        silo.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    /// <summary>A gateway as a client of separate silos, in memory (no connection string): the case that answered 500.</summary>
    private static Dictionary<string, string?> ClientGateway() => new(StringComparer.Ordinal)
    {
        ["Orleans:Mode"] = "client",
        ["Orleans:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        ["Orleans:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        ["Privacy:PseudonymKey"] = NewKey(),
        ["Auth:SigningKey"] = NewKey(),
        [$"Receipts:Keys:{TestReceiptKeys.Id}"] = TestReceiptKeys.NewPem(),
        ["Outbox:Directory"] = Path.Combine(Path.GetTempPath(), $"pd-outbox-{Guid.NewGuid():N}"),
    };

    private static WebApplication BuildGateway(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddGateway();
        var app = builder.Build();
        app.UseGateway();
        return app;
    }

    private static string[] SiloArguments(string? key)
    {
        var arguments = new List<string>
        {
            $"--contentRoot={AppContext.BaseDirectory}",
            $"--Orleans:SiloPort={FreePort.Next()}",
            $"--Orleans:GatewayPort={FreePort.Next()}",
            $"--Outbox:Directory={Path.Combine(Path.GetTempPath(), $"pd-outbox-{Guid.NewGuid():N}")}",
        };
        arguments.AddRange(TestCertificates.Cluster.Silo.Arguments);
        if (key is not null)
        {
            arguments.Add($"--Privacy:PseudonymKey={key}");
        }

        return [.. arguments];
    }

    /// <summary>Starts the host; it must fail its start checks (a host that did start is stopped again).</summary>
    private static async Task<OptionsValidationException> RefusesToStartAsync(IHost host)
    {
        using var deadline = new CancellationTokenSource(s_startDeadline);
        var failure = await Record.ExceptionAsync(() => host.StartAsync(deadline.Token));
        if (failure is null)
        {
            await host.StopAsync();
        }

        return Assert.IsType<OptionsValidationException>(failure);
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
