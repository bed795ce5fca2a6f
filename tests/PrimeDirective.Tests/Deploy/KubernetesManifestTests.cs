using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrimeDirective.Gateway.Hosting;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Regions;
using k8s.Models;

namespace PrimeDirective.Tests.Deploy;

/// <summary>
/// <c>deploy/k8s</c> checked offline (no cluster, no network): every manifest loads strictly into typed Kubernetes
/// objects, and what must agree does agree with the code: regions and their databases, secret keys, probe paths,
/// ports, images, TLS, disruption budgets and graceful termination.
/// </summary>
public sealed class KubernetesManifestTests
{
    private const string GatewayProject = "Gateway";
    private const string SiloProject = "Silo";

    private readonly DeployManifests _manifests = DeployManifests.Load();

    [Fact]
    public void Every_manifest_loads_strictly_and_the_kustomization_applies_all_but_the_example_secret()
    {
        var files = Directory.GetFiles(_manifests.Directory, "*.y*ml").Select(Path.GetFileName).OfType<string>()
            .Where(file => file != DeployManifests.KustomizationFile).ToList();
        Assert.Contains(DeployManifests.ExampleSecretFile, files);
        Assert.All(files, file => Assert.EndsWith(".yaml", file, StringComparison.Ordinal));
        Assert.All(files, file => Assert.Contains(_manifests.Resources, entry => entry.File == file));

        // The loader is strict: a misspelled field in a real manifest is refused, not silently dropped.
        var silo = File.ReadAllText(Path.Combine(_manifests.Directory, "silo-eu.yaml"));
        Assert.Contains("terminationGracePeriodSeconds:", silo, StringComparison.Ordinal);
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => DeployManifests.LoadStrict(silo.Replace("terminationGracePeriodSeconds:", "terminationGracePeriod:", StringComparison.Ordinal)));

        var kustomization = _manifests.ReadKustomization();
        Assert.Equal("kustomize.config.k8s.io/v1beta1", kustomization.ApiVersion);
        Assert.Equal("Kustomization", kustomization.Kind);
        Assert.Equal(files.Where(file => file != DeployManifests.ExampleSecretFile).Order(StringComparer.Ordinal), kustomization.Resources.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(DeployManifests.ExampleSecretFile, kustomization.Resources);
        Assert.Empty(_manifests.AppliedOf<V1Secret>());
    }

    [Fact]
    public void Every_region_has_its_own_labelled_silos_that_store_its_subjects_in_its_own_database()
    {
        var regions = Regions(Configuration(Gateway())).Configured;
        Assert.NotEmpty(regions);
        var silos = Silos();
        Assert.Equal(regions.Count, silos.Count);

        var databaseKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var region in regions)
        {
            // The silo code's own reading of the label: exactly this region, never every region.
            var served = silos.Where(silo => Label(silo).Serves(region)).ToList();
            var silo = Assert.Single(served);
            var label = Label(silo);
            Assert.True(label.Labelled, $"{silo} has no region label, so it would serve every region");
            Assert.Equal([region], label.Served);
            Assert.Equal(region, silo.Template.Metadata.Labels["region"]);
            Assert.Equal(region, silo.Selector.MatchLabels["region"]);

            var database = SecretRef(silo, $"Regions__Databases__{region}");
            Assert.EndsWith($"-{region}", database.Key, StringComparison.Ordinal);
            Assert.True(databaseKeys.Add(database.Key), $"{silo} shares its region database key {database.Key} with another region");
            Assert.NotEqual(SecretRef(silo, "ConnectionStrings__PrimeDirective").Key, database.Key);
            Assert.DoesNotContain(silo.Env, env => env.Name.StartsWith("Regions__Databases__", StringComparison.Ordinal) && env.Name != $"Regions__Databases__{region}");

            // Advertise the pod's own address, listen on every address; mail goes out by SMTP.
            var podIp = silo.Env.Select((env, index) => (env, index)).Single(entry => entry.env.Name == "POD_IP");
            Assert.Equal("status.podIP", podIp.env.ValueFrom.FieldRef.FieldPath);
            Assert.True(silo.Env.IndexOf(silo.Env.Single(env => env.Name == "Orleans__AdvertisedIP")) > podIp.index, "POD_IP must be defined before it is referenced");
            Assert.Equal("$(POD_IP)", silo.Literal("Orleans__AdvertisedIP"));
            Assert.True(bool.Parse(silo.Literal("Orleans__ListenOnAnyHostAddress")!));
            Assert.NotNull(SecretRef(silo, "Outbox__Smtp__Host"));
        }

        // One cluster database and one pseudonym key for every silo and gateway, or grain keys and membership diverge.
        foreach (var shared in new[] { "ConnectionStrings__PrimeDirective", "Privacy__PseudonymKey" })
        {
            Assert.Single(_manifests.Workloads.Select(workload => SecretRef(workload, shared)).Select(reference => (reference.Name, reference.Key)).Distinct());
        }
    }

    [Fact]
    public void Every_secret_reference_names_a_key_of_the_example_secret_which_holds_only_placeholders()
    {
        var examples = _manifests.ExampleSecrets;
        var references = _manifests.Workloads
            .SelectMany(workload => workload.Env.Where(env => env.ValueFrom?.SecretKeyRef is not null).Select(env => (workload, env.ValueFrom.SecretKeyRef)))
            .ToList();
        Assert.NotEmpty(references);
        foreach (var (workload, reference) in references)
        {
            var secret = examples.SingleOrDefault(example => example.Metadata.Name == reference.Name);
            Assert.True(secret is not null, $"{workload} references secret {reference.Name}, which {DeployManifests.ExampleSecretFile} lacks");
            Assert.True(secret.StringData.ContainsKey(reference.Key), $"{workload} references {reference.Name}/{reference.Key}, which {DeployManifests.ExampleSecretFile} lacks");
        }

        Assert.DoesNotContain(_manifests.Workloads, workload => workload.Container.EnvFrom is { Count: > 0 });
        Assert.All(examples, secret => Assert.Null(secret.Data));
        Assert.All(examples.SelectMany(secret => secret.StringData), entry => Assert.Contains("example", entry.Value, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Every_http_probe_path_is_an_endpoint_of_the_gateway()
    {
        var gateway = Gateway();
        var endpoints = await GatewayEndpointsAsync(gateway);
        var paths = _manifests.Workloads
            .SelectMany(workload => Probes(workload.Container).Where(probe => probe.HttpGet is not null).Select(probe => (workload, probe.HttpGet.Path)))
            .ToList();
        Assert.Contains(paths, entry => entry.workload == gateway && entry.Path == "/health/ready");
        Assert.Contains(paths, entry => entry.workload == gateway && entry.Path == "/health/live");
        foreach (var (workload, path) in paths)
        {
            Assert.Equal(gateway, workload);
            Assert.True(endpoints.Any(endpoint => ServesGet(endpoint, path)), $"{workload} probes {path}, which the gateway does not map");
        }

        // The resolution is not vacuous: a path the gateway does not map matches nothing.
        Assert.DoesNotContain(endpoints, endpoint => ServesGet(endpoint, "/health/not-a-check"));
    }

    [Fact]
    public void Ports_agree_with_the_silo_defaults_the_gateway_listener_and_the_container_images()
    {
        var (siloRepository, siloImagePorts) = _manifests.ContainerSettings(SiloProject);
        var (gatewayRepository, gatewayImagePorts) = _manifests.ContainerSettings(GatewayProject);
        Assert.Equal("prime-directive/silo", siloRepository);
        Assert.Equal("prime-directive/gateway", gatewayRepository);
        Assert.All(_manifests.Workloads, workload => Assert.Contains(Repository(workload), new[] { siloRepository, gatewayRepository }));

        foreach (var silo in Silos())
        {
            var ports = silo.Container.Ports.ToDictionary(port => port.Name, port => port.ContainerPort, StringComparer.Ordinal);
            Assert.Equal(Port(silo, "Orleans__SiloPort", SiloConfiguration.DefaultSiloPort), ports["silo"]);
            Assert.Equal(Port(silo, "Orleans__GatewayPort", SiloConfiguration.DefaultGatewayPort), ports["gateway"]);
            Assert.Equal(2, ports.Count);
            Assert.Equal(siloImagePorts.Order(), ports.Values.Order());
            Assert.All(ports.Values, port => Assert.InRange(port, 1024, 32767));
        }

        var gateway = Gateway();
        var listening = GatewayListenerPorts(gateway);
        Assert.Equal(gateway.Container.Ports.Select(port => port.ContainerPort).Order(), listening.Order());
        Assert.Equal(gatewayImagePorts.Order(), listening.Order());

        // Every probe and Service port resolves to a port the container declares.
        foreach (var workload in _manifests.Workloads)
        {
            foreach (var probe in Probes(workload.Container))
            {
                AssertDeclared(workload, probe.HttpGet?.Port ?? probe.TcpSocket?.Port);
            }
        }

        foreach (var service in _manifests.AppliedOf<V1Service>())
        {
            var selected = Assert.Single(_manifests.Workloads, workload => service.Spec.Selector.All(label => workload.Template.Metadata.Labels.TryGetValue(label.Key, out var value) && value == label.Value));
            Assert.All(service.Spec.Ports, port => AssertDeclared(selected, port.TargetPort));
        }

        foreach (var statefulSet in _manifests.AppliedOf<V1StatefulSet>())
        {
            var governing = Assert.Single(_manifests.AppliedOf<V1Service>(), service => service.Metadata.Name == statefulSet.Spec.ServiceName);
            Assert.Equal("None", governing.Spec.ClusterIP);
        }
    }

    [Fact]
    public void The_ingress_terminates_tls_with_a_named_secret_and_routes_to_the_gateway_service()
    {
        var ingress = Assert.Single(_manifests.AppliedOf<V1Ingress>());
        var tls = Assert.Single(ingress.Spec.Tls);
        Assert.False(string.IsNullOrWhiteSpace(tls.SecretName));
        var certificate = Assert.Single(_manifests.ExampleSecrets, secret => secret.Metadata.Name == tls.SecretName);
        Assert.Equal("kubernetes.io/tls", certificate.Type);
        Assert.Equal(["tls.crt", "tls.key"], certificate.StringData.Keys.Order(StringComparer.Ordinal));

        var hosts = ingress.Spec.Rules.Select(rule => rule.Host).ToList();
        Assert.All(hosts, host => Assert.Contains(host, tls.Hosts));
        var backends = ingress.Spec.Rules.SelectMany(rule => rule.Http.Paths).Select(path => path.Backend.Service).ToList();
        Assert.NotEmpty(backends);
        foreach (var backend in backends)
        {
            var service = Assert.Single(_manifests.AppliedOf<V1Service>(), service => service.Metadata.Name == backend.Name);
            Assert.Contains(service.Spec.Ports, port => port.Name == backend.Port.Name || port.Port == backend.Port.Number);
            Assert.Equal(Gateway().Template.Metadata.Labels["role"], service.Spec.Selector["role"]);
        }

        // TLS ends at the Ingress: inside the cluster the gateway listens on plain HTTP only.
        var gateway = Gateway();
        Assert.Null(gateway.Literal("ASPNETCORE_HTTPS_PORTS"));
        Assert.DoesNotContain("https", gateway.Literal("ASPNETCORE_URLS") ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(gateway.Literal("Gateway__TrustedProxies__0"));
    }

    [Fact]
    public void Every_workload_has_probes_resource_requests_and_exactly_one_disruption_budget_of_its_own()
    {
        var budgets = _manifests.AppliedOf<V1PodDisruptionBudget>().ToList();
        Assert.Equal(Silos().Count + 1, _manifests.Workloads.Count);
        foreach (var workload in _manifests.Workloads)
        {
            Assert.True(workload.Container.LivenessProbe is not null, $"{workload} has no liveness probe");
            Assert.True(workload.Container.ReadinessProbe is not null, $"{workload} has no readiness probe");
            Assert.True(workload.Container.Resources?.Requests?.ContainsKey("cpu") == true, $"{workload} requests no CPU");
            Assert.True(workload.Container.Resources?.Requests?.ContainsKey("memory") == true, $"{workload} requests no memory");
            Assert.True(Matches(workload.Selector, workload.Template.Metadata.Labels), $"{workload}'s selector does not match its own pods");

            var budget = Assert.Single(budgets, budget => Matches(budget.Spec.Selector, workload.Template.Metadata.Labels));
            // A budget that also covered another workload's pods would let one starve the other's disruptions.
            Assert.Single(_manifests.Workloads, other => Matches(budget.Spec.Selector, other.Template.Metadata.Labels));
            Assert.True(budget.Spec.MaxUnavailable is not null || budget.Spec.MinAvailable is not null, $"{budget.Metadata.Name} limits nothing");
        }
    }

    [Fact]
    public void Graceful_termination_outlasts_the_host_shutdown_timeout_the_manifest_actually_binds()
    {
        foreach (var workload in _manifests.Workloads)
        {
            var settings = workload.Env.Where(env => env.Name.Contains("shutdown", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(settings.Count == 1, $"{workload} sets no host shutdown timeout");
            var setting = settings[0];
            var timeout = ShutdownTimeout(ConfigurationValues(workload));
            Assert.Equal(TimeSpan.FromSeconds(int.Parse(setting.Value, CultureInfo.InvariantCulture)), timeout);

            // The setting must bind: with another value under the same name the host's timeout follows it (a key
            // HostOptions does not read, such as HostOptions__ShutdownTimeout, would leave the 30 s default).
            var changed = workload.Env.Select(env => env == setting ? new V1EnvVar { Name = setting.Name, Value = "4321" } : env);
            Assert.Equal(TimeSpan.FromSeconds(4321), ShutdownTimeout(ConfigurationValues(changed)));

            // The grace period covers the preStop hook and the whole shutdown, or the kubelet kills a silo mid-deactivation.
            var preStop = TimeSpan.FromSeconds(workload.Container.Lifecycle?.PreStop?.Sleep?.Seconds ?? 0);
            var grace = TimeSpan.FromSeconds(workload.Template.Spec.TerminationGracePeriodSeconds ?? 30);
            Assert.True(preStop + timeout < grace, $"{workload}: preStop {preStop} + shutdown {timeout} does not fit in the grace period {grace}");
        }
    }

    private Workload Gateway() => Assert.Single(_manifests.Workloads, workload => Repository(workload) == _manifests.ContainerSettings(GatewayProject).Repository);

    private List<Workload> Silos() => [.. _manifests.Workloads.Where(workload => Repository(workload) == _manifests.ContainerSettings(SiloProject).Repository)];

    private static string Repository(Workload workload) => workload.Container.Image.Split(':')[0];

    private static V1SecretKeySelector SecretRef(Workload workload, string name)
    {
        var env = workload.Env.SingleOrDefault(env => env.Name == name);
        Assert.True(env?.ValueFrom?.SecretKeyRef is not null, $"{workload} does not take {name} from a secret");
        return env.ValueFrom.SecretKeyRef;
    }

    private static int Port(Workload workload, string name, int fallback) =>
        workload.Literal(name) is { } configured ? int.Parse(configured, CultureInfo.InvariantCulture) : fallback;

    private static IEnumerable<V1Probe> Probes(V1Container container) =>
        new[] { container.LivenessProbe, container.ReadinessProbe, container.StartupProbe }.OfType<V1Probe>();

    private static void AssertDeclared(Workload workload, IntOrString? port)
    {
        Assert.True(port is not null, $"{workload} has a probe or service port that names no port");
        var value = port.Value;
        Assert.True(
            workload.Container.Ports.Any(declared => declared.Name == value || declared.ContainerPort.ToString(CultureInfo.InvariantCulture) == value),
            $"{workload} has no container port {value}");
    }

    /// <summary>The ports Kestrel listens on: ASPNETCORE_URLS wins over ASPNETCORE_HTTP_PORTS, as in ASP.NET Core.</summary>
    private static List<int> GatewayListenerPorts(Workload gateway)
    {
        if (gateway.Literal("ASPNETCORE_URLS") is { } urls)
        {
            return [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(url => new Uri(url.Replace("://+", "://any", StringComparison.Ordinal).Replace("://*", "://any", StringComparison.Ordinal)).Port)];
        }

        var ports = gateway.Literal("ASPNETCORE_HTTP_PORTS");
        Assert.True(ports is not null, $"{gateway} sets neither ASPNETCORE_URLS nor ASPNETCORE_HTTP_PORTS");
        return [.. ports.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(port => int.Parse(port, CultureInfo.InvariantCulture))];
    }

    private static bool Matches(V1LabelSelector selector, IDictionary<string, string> labels)
    {
        if ((selector.MatchLabels ?? new Dictionary<string, string>()).Any(label => !labels.TryGetValue(label.Key, out var value) || value != label.Value))
        {
            return false;
        }

        return (selector.MatchExpressions ?? []).All(requirement => requirement.OperatorProperty switch
        {
            "In" => labels.TryGetValue(requirement.Key, out var value) && requirement.Values.Contains(value),
            "NotIn" => !labels.TryGetValue(requirement.Key, out var value) || !requirement.Values.Contains(value),
            "Exists" => labels.ContainsKey(requirement.Key),
            "DoesNotExist" => !labels.ContainsKey(requirement.Key),
            _ => throw new InvalidOperationException($"Unknown selector operator {requirement.OperatorProperty}"),
        });
    }

    /// <summary>
    /// A workload's literal environment as .NET configuration reads it: <c>__</c> is <c>:</c>, and the host also
    /// reads <c>DOTNET_</c>-prefixed variables without their prefix.
    /// </summary>
    private static Dictionary<string, string?> ConfigurationValues(Workload workload) => ConfigurationValues(workload.Env);

    private static Dictionary<string, string?> ConfigurationValues(IEnumerable<V1EnvVar> environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var env in environment.Where(env => env.Value is not null))
        {
            values[env.Name.Replace("__", ":", StringComparison.Ordinal)] = env.Value;
            if (env.Name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase))
            {
                values[env.Name["DOTNET_".Length..].Replace("__", ":", StringComparison.Ordinal)] = env.Value;
            }
        }

        return values;
    }

    private static RegionOptions Regions(IConfiguration configuration) =>
        configuration.GetSection(RegionOptions.SectionName).Get<RegionOptions>() ?? new RegionOptions();

    /// <summary>The regions a silo serves, read by the silo's own code from its environment.</summary>
    private static SiloRegions Label(Workload silo)
    {
        var configuration = Configuration(silo);
        return SiloRegions.From(configuration, Regions(configuration));
    }

    private static IConfiguration Configuration(Workload workload) => new ConfigurationBuilder().AddInMemoryCollection(ConfigurationValues(workload)).Build();

    /// <summary>The host's shutdown timeout as the generic host binds it from configuration.</summary>
    private static TimeSpan ShutdownTimeout(Dictionary<string, string?> values)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(values);
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
    }

    /// <summary>The gateway's routes, as its own composition maps them with the manifest's settings (built, not started).</summary>
    private static async Task<List<RouteEndpoint>> GatewayEndpointsAsync(Workload gateway)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(ConfigurationValues(gateway));
        builder.AddGateway();
        await using var app = builder.Build();
        app.UseGateway();
        return [.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()];
    }

    private static bool ServesGet(RouteEndpoint endpoint, string path)
    {
        var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
        if (methods is { Count: > 0 } && !methods.Contains(HttpMethods.Get))
        {
            return false;
        }

        return new TemplateMatcher(new RouteTemplate(endpoint.RoutePattern), new RouteValueDictionary()).TryMatch(path, new RouteValueDictionary());
    }
}
