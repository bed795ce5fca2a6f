using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Npgsql;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Regions;
using static PrimeDirective.Tests.Deploy.ManifestReading;

namespace PrimeDirective.Tests.Deploy;

/// <summary>
/// <c>deploy/k8s</c> as <c>kubectl apply -k deploy/k8s/overlays/{region}</c> would send it, checked offline: every
/// region renders and loads strictly; every pod is "restricted"; every image is pinned by digest; a default-deny
/// NetworkPolicy and a narrow allowance select every pod; silos are probed over HTTP for their membership status;
/// rollouts never drop a region's capacity; each component of each region has its own secrets, as files; and what must
/// agree with the code does (regions, databases, ports, cluster ids, shutdown timeouts).
/// </summary>
public sealed class KubernetesManifestTests
{
    private const string GatewayProject = "Gateway";
    private const string SiloProject = "Silo";
    private const string ManagementPort = "management";
    private const string PartOfLabel = "app.kubernetes.io/part-of";
    private const string RegionNodeLabel = "topology.kubernetes.io/region";

    private static readonly TimeSpan s_migrationBudget = TimeSpan.FromMinutes(5);

    private readonly DeployManifests _manifests = DeployManifests.Rendered;

    [Fact]
    public void Every_region_overlay_renders_and_loads_strictly_into_a_namespace_of_its_own()
    {
        var regions = new RegionOptions().Configured;
        Assert.Equal(regions.Order(StringComparer.Ordinal), _manifests.Overlays.Select(overlay => overlay.Region));
        foreach (var overlay in _manifests.Overlays)
        {
            var name = $"prime-directive-{overlay.Region}";
            Assert.Equal(name, overlay.Namespace.Metadata.Name);
            Assert.All(overlay.Resources.Where(resource => resource is not V1Namespace).Cast<IKubernetesObject<V1ObjectMeta>>(),
                resource => Assert.Equal(name, resource.Metadata.NamespaceProperty));
            Assert.All(overlay.ExampleSecrets, secret => Assert.Equal(name, secret.Metadata.NamespaceProperty));
            Assert.DoesNotContain("REGION", overlay.Yaml, StringComparison.Ordinal);
            Assert.NotEmpty(overlay.Workloads);
        }

        // The loader is strict: a misspelled field in the rendered output is refused, not silently dropped.
        var yaml = _manifests.Overlays[0].Yaml;
        Assert.Contains("minReadySeconds:", yaml, StringComparison.Ordinal);
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => DeployManifests.LoadStrict(yaml.Replace("minReadySeconds:", "minReadySecond:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Every_pod_meets_the_restricted_pod_security_standard_with_a_read_only_root_and_no_api_token()
    {
        foreach (var overlay in _manifests.Overlays)
        {
            var labels = overlay.Namespace.Metadata.Labels;
            Assert.Equal("restricted", labels["pod-security.kubernetes.io/enforce"]);
            foreach (var workload in overlay.Workloads)
            {
                Assert.Empty(RestrictedViolations(workload));
                var account = Assert.Single(overlay.Of<V1ServiceAccount>(), account => account.Metadata.Name == workload.Pod.ServiceAccountName);
                Assert.False(account.AutomountServiceAccountToken ?? true, $"{account.Metadata.Name} hands out API tokens");
                Assert.Single(overlay.Workloads, other => other.Pod.ServiceAccountName == account.Metadata.Name);

                // A read-only root still needs a writable /tmp (the runtime's diagnostics socket), from memory.
                var tmp = Assert.Single(workload.Container.VolumeMounts, mount => mount.MountPath == "/tmp");
                Assert.NotNull(Assert.Single(workload.Pod.Volumes, volume => volume.Name == tmp.Name).EmptyDir);
            }
        }

        // The check is not vacuous: the same pod, loosened, is refused.
        var loosened = _manifests.Overlays.Select(overlay => new RegionManifests(overlay.Region, overlay.Yaml, DeployManifests.LoadStrict(overlay.Yaml), overlay.ExampleSecrets)).First().Workloads[0];
        loosened.Container.SecurityContext.AllowPrivilegeEscalation = true;
        loosened.Pod.AutomountServiceAccountToken = null;
        Assert.Equal(2, RestrictedViolations(loosened).Count());
    }

    [Fact]
    public void Every_image_is_pinned_by_digest_in_a_registry_and_is_its_project_s_image()
    {
        var repositories = new[] { GatewayProject, SiloProject }.Select(project => _manifests.ContainerSettings(project).Repository).ToList();
        foreach (var workload in _manifests.Workloads)
        {
            var image = workload.Image;
            Assert.NotNull(image.Registry);
            Assert.Null(image.Tag);
            Assert.Matches("^sha256:[0-9a-f]{64}$", image.Digest);
            Assert.Contains(repositories, repository => image.Repository.EndsWith(repository!, StringComparison.Ordinal));
        }

        // One build everywhere: every region runs the same digest of each image.
        foreach (var images in _manifests.Workloads.GroupBy(workload => (workload.Image.Registry, workload.Image.Repository)))
        {
            Assert.Single(images.Select(workload => workload.Image.Digest).Distinct());
        }
    }

    [Fact]
    public void A_default_deny_network_policy_and_a_narrow_allowance_select_every_pod()
    {
        foreach (var overlay in _manifests.Overlays)
        {
            Assert.Equal(overlay.Region, overlay.Namespace.Metadata.Labels["region"]);
            Assert.Equal("prime-directive", overlay.Namespace.Metadata.Labels[PartOfLabel]);
            var policies = overlay.Of<V1NetworkPolicy>().ToList();
            var deny = Assert.Single(policies, policy => policy.Spec.PodSelector.MatchLabels is null && policy.Spec.PodSelector.MatchExpressions is null);
            Assert.Equal(["Egress", "Ingress"], deny.Spec.PolicyTypes.Order(StringComparer.Ordinal));
            Assert.Null(deny.Spec.Ingress);
            Assert.Null(deny.Spec.Egress);

            foreach (var workload in overlay.Workloads)
            {
                var policy = Assert.Single(policies, policy => policy != deny && Matches(policy.Spec.PodSelector, workload.Template.Metadata.Labels));
                Assert.Equal(["Egress", "Ingress"], policy.Spec.PolicyTypes.Order(StringComparer.Ordinal));
                foreach (var rule in policy.Spec.Ingress ?? [])
                {
                    AssertNarrow(workload, rule.FromProperty, rule.Ports);
                    foreach (var port in rule.Ports)
                    {
                        var declared = Port(workload, port.Port);
                        Assert.True(declared is not null, $"{workload} admits traffic to port {port.Port}, which it does not declare");

                        // Who may reach which port: management from monitoring only, the others from their one kind of caller.
                        var peer = Assert.Single(rule.FromProperty);
                        var namespaceName = peer.NamespaceSelector?.MatchLabels is { } namespaces && namespaces.TryGetValue("kubernetes.io/metadata.name", out var named) ? named : null;
                        var role = peer.PodSelector?.MatchLabels is { } pods && pods.TryGetValue("role", out var selected) ? selected : null;
                        (string? Namespace, string? Role) expected = declared.Name switch
                        {
                            ManagementPort => ("monitoring", null),
                            "http" => ("ingress-nginx", null),
                            "gateway" => (null, "gateway"),
                            "silo" => (null, "silo"),
                            _ => throw new InvalidOperationException($"{workload}: no rule for port {declared.Name}"),
                        };
                        Assert.Equal(expected, (namespaceName, role));
                    }
                }

                foreach (var rule in policy.Spec.Egress ?? [])
                {
                    AssertNarrow(workload, rule.To, rule.Ports);
                    foreach (var peer in rule.To.Where(peer => peer.PodSelector is not null))
                    {
                        if (!peer.PodSelector.MatchLabels.TryGetValue("app", out var app) || app != "prime-directive")
                        {
                            // The only other pods reached: the cluster's DNS.
                            Assert.Equal("kube-system", peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
                            Assert.All(rule.Ports, port => Assert.Equal("53", port.Port.Value));
                            continue;
                        }

                        // Pods of any region's namespace (one Orleans cluster), and only on ports those pods declare.
                        Assert.Equal("prime-directive", peer.NamespaceSelector.MatchLabels[PartOfLabel]);
                        var targets = _manifests.Workloads.Where(target => Matches(peer.PodSelector, target.Template.Metadata.Labels)).ToList();
                        Assert.Equal(_manifests.Overlays.Count, targets.Count);
                        Assert.All(targets, target => Assert.All(rule.Ports, port => Assert.NotNull(Port(target, port.Port))));
                    }
                }
            }
        }
    }

    [Fact]
    public void Silos_and_gateways_are_probed_over_http_on_the_management_port_with_time_for_migrations()
    {
        foreach (var workload in _manifests.Workloads)
        {
            var container = workload.Container;
            Assert.All(Probes(container), probe => Assert.Null(probe.TcpSocket));
            Assert.All(Probes(container), probe => Assert.Null(probe.Exec));
            Assert.Equal(3, Probes(container).Count());
            var management = Port(workload, (IntOrString)ManagementPort);
            Assert.NotNull(management);
            var listener = new Uri(workload.Literal("Management__Urls") ?? throw new InvalidOperationException($"{workload} sets no Management__Urls"));
            Assert.Equal(listener.Port, management.ContainerPort);
            Assert.All(Probes(container), probe => Assert.Equal(ManagementPort, probe.HttpGet.Port.Value));
            Assert.Equal(ManagementServer.ReadyPath, container.StartupProbe.HttpGet.Path);
            Assert.Equal(ManagementServer.ReadyPath, container.ReadinessProbe.HttpGet.Path);
            Assert.Equal(ManagementServer.LivePath, container.LivenessProbe.HttpGet.Path);
        }

        // A silo applies migrations under an advisory lock before it becomes Active: the startup probe waits that long,
        // and a rollout is not declared failed before the probe gives up.
        foreach (var overlay in _manifests.Overlays)
        {
            var silo = Silo(overlay);
            var probe = silo.Container.StartupProbe;
            var budget = TimeSpan.FromSeconds((probe.PeriodSeconds ?? 10) * (probe.FailureThreshold ?? 3));
            Assert.True(budget >= s_migrationBudget, $"{silo}: the startup probe allows {budget}, less than {s_migrationBudget} of migrations");
            var deployment = Assert.Single(overlay.Of<V1Deployment>(), deployment => deployment.Metadata.Name == silo.Name);
            Assert.True(TimeSpan.FromSeconds(deployment.Spec.ProgressDeadlineSeconds ?? 600) > budget, $"{silo}: the rollout deadline is within the startup budget");
        }
    }

    [Fact]
    public void Rollouts_add_before_they_remove_spread_over_zones_and_hosts_and_budgets_match_the_replicas()
    {
        foreach (var overlay in _manifests.Overlays)
        {
            Assert.Empty(overlay.Of<V1StatefulSet>());
            var budgets = overlay.Of<V1PodDisruptionBudget>().ToList();
            foreach (var deployment in overlay.Of<V1Deployment>())
            {
                var workload = Assert.Single(overlay.Workloads, workload => workload.Name == deployment.Metadata.Name);
                Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
                Assert.Equal("1", deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value);
                Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
                Assert.True(deployment.Spec.MinReadySeconds > 0, $"{workload} counts a pod available the moment it is ready");
                Assert.True(Matches(workload.Selector, workload.Template.Metadata.Labels), $"{workload}'s selector does not match its own pods");
                Assert.True(workload.Container.Resources?.Requests?.ContainsKey("cpu") == true, $"{workload} requests no CPU");
                Assert.True(workload.Container.Resources?.Requests?.ContainsKey("memory") == true, $"{workload} requests no memory");

                var spreads = workload.Pod.TopologySpreadConstraints;
                Assert.Equal(["kubernetes.io/hostname", "topology.kubernetes.io/zone"], spreads.Select(spread => spread.TopologyKey).Order(StringComparer.Ordinal));
                Assert.All(spreads, spread =>
                {
                    Assert.Equal("DoNotSchedule", spread.WhenUnsatisfiable);
                    Assert.Equal(1, spread.MaxSkew);
                    Assert.True(Matches(spread.LabelSelector, workload.Template.Metadata.Labels), $"{workload}'s spread counts other pods");
                });

                var budget = Assert.Single(budgets, budget => Matches(budget.Spec.Selector, workload.Template.Metadata.Labels));
                // A budget that also covered another workload's pods would let one starve the other's disruptions.
                Assert.Single(overlay.Workloads, other => Matches(budget.Spec.Selector, other.Template.Metadata.Labels));
                var autoscaler = overlay.Of<V2HorizontalPodAutoscaler>().SingleOrDefault(scaler => scaler.Spec.ScaleTargetRef.Name == deployment.Metadata.Name);
                int replicas;
                if (autoscaler is not null)
                {
                    Assert.Equal("Deployment", autoscaler.Spec.ScaleTargetRef.Kind);
                    // The autoscaler owns the count: a replicas field would reset it at every apply.
                    Assert.Null(deployment.Spec.Replicas);
                    replicas = autoscaler.Spec.MinReplicas ?? 1;
                    Assert.True(autoscaler.Spec.MaxReplicas > replicas);
                }
                else
                {
                    replicas = deployment.Spec.Replicas ?? 1;
                }

                Assert.True(replicas >= 3, $"{workload} runs fewer than 3 pods");
                var available = budget.Spec.MinAvailable is { } minimum ? int.Parse(minimum.Value, CultureInfo.InvariantCulture) : replicas - int.Parse(budget.Spec.MaxUnavailable.Value, CultureInfo.InvariantCulture);
                Assert.InRange(available, 2, replicas - 1);
            }

            var gateway = Gateway(overlay);
            Assert.True(overlay.Of<V2HorizontalPodAutoscaler>().Single().Spec.MinReplicas >= 3, $"{gateway}: the autoscaler may go below 3");
        }

        // A silo is a server process: server GC (the console default is workstation); the gateway's web SDK has it already.
        Assert.True(_manifests.ContainerSettings(SiloProject).ServerGc, "src/Silo does not use server GC");
        Assert.True(_manifests.ContainerSettings(GatewayProject).ServerGc, "src/Gateway does not use server GC");
    }

    [Fact]
    public void Each_component_of_each_region_has_secrets_of_its_own_mounted_as_files()
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var overlay in _manifests.Overlays)
        {
            foreach (var workload in overlay.Workloads)
            {
                Assert.DoesNotContain(workload.Env, env => env.ValueFrom?.SecretKeyRef is not null);
                Assert.True(workload.Container.EnvFrom is null or { Count: 0 }, $"{workload} takes environment from a secret or config map");
                foreach (var volume in workload.Pod.Volumes)
                {
                    foreach (var name in SecretsOf(volume))
                    {
                        Assert.EndsWith($"-{overlay.Region}", name, StringComparison.Ordinal);
                        Assert.True(owners.TryAdd(name, workload.ToString()), $"{name} is mounted by {workload} and by {owners.GetValueOrDefault(name)}");
                        var example = overlay.ExampleSecrets.SingleOrDefault(secret => secret.Metadata.Name == name);
                        Assert.True(example is not null, $"{workload} mounts {name}, which {overlay.Region}/{DeployManifests.ExampleSecretFile} lacks");
                        Assert.True(DefaultMode(volume) is { } mode && (mode & 0b000_000_111) == 0, $"{name} is readable by every user");
                    }
                }

                // The Orleans certificate files the process is told to read are keys of the mounted TLS secret.
                foreach (var setting in new[] { "Orleans__Tls__CertificatePath", "Orleans__Tls__KeyPath", "Orleans__Tls__CaPath" })
                {
                    var path = workload.Literal(setting) ?? throw new InvalidOperationException($"{workload} sets no {setting}");
                    var secret = SecretMountedAt(workload, Path.GetDirectoryName(path)!) ?? throw new InvalidOperationException($"{workload}: nothing is mounted at {path}");
                    var example = Assert.Single(overlay.ExampleSecrets, example => example.Metadata.Name == secret);
                    Assert.Equal("kubernetes.io/tls", example.Type);
                    Assert.Contains(Path.GetFileName(path), example.StringData.Keys);
                }
            }

            // Placeholders only, and every database connection verifies the server's certificate and name.
            Assert.All(overlay.ExampleSecrets, secret => Assert.Null(secret.Data));
            Assert.All(overlay.ExampleSecrets.SelectMany(secret => secret.StringData), entry => Assert.Contains("EXAMPLE", entry.Value, StringComparison.OrdinalIgnoreCase));
            var connections = overlay.ExampleSecrets.SelectMany(secret => secret.StringData)
                .Where(entry => entry.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || entry.Key.StartsWith("Regions__Databases__", StringComparison.Ordinal))
                .ToList();
            Assert.NotEmpty(connections);
            Assert.All(connections, entry => Assert.Equal(SslMode.VerifyFull, new NpgsqlConnectionStringBuilder(entry.Value).SslMode));
        }
    }

    [Fact]
    public void The_key_store_is_a_PostgreSQL_cluster_of_its_own_with_its_own_secret_and_the_KEK_versions_come_from_a_secret()
    {
        foreach (var overlay in _manifests.Overlays)
        {
            var (region, silo) = (overlay.Region, Silo(overlay));
            var directory = silo.Literal("Secrets__Directory") ?? throw new InvalidOperationException($"{silo} sets no Secrets__Directory");
            var mounted = SecretsMountedAt(silo, directory);
            V1Secret Holding(string key) =>
                Assert.Single(overlay.ExampleSecrets, secret => mounted.Contains(secret.Metadata.Name) && secret.StringData.ContainsKey(key));

            // ConnectionStrings:KeyStore is a secret of its own, apart from the one that holds the region's and the cluster's databases.
            var keyStoreSecret = Holding("ConnectionStrings__KeyStore");
            Assert.NotEqual(Holding($"Regions__Databases__{region}").Metadata.Name, keyStoreSecret.Metadata.Name);
            Assert.NotEqual(Holding("ConnectionStrings__PrimeDirective").Metadata.Name, keyStoreSecret.Metadata.Name);
            Assert.DoesNotContain(keyStoreSecret.StringData.Keys, key => key != "ConnectionStrings__KeyStore" && key.Contains("__", StringComparison.Ordinal));

            // As the silo reads it: another server, another role, its own authority file beside the other secrets' files.
            var configuration = Configuration(ConfigurationValues(silo, overlay));
            var keyStore = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("KeyStore"));
            foreach (var data in new[] { configuration.GetConnectionString(SiloConfiguration.ConnectionStringName), configuration[$"{RegionOptions.SectionName}:Databases:{region}"] })
            {
                var database = new NpgsqlConnectionStringBuilder(data);
                Assert.NotEqual(database.Host, keyStore.Host);
                Assert.NotEqual(database.Username, keyStore.Username);
            }

            Assert.Equal(directory, Path.GetDirectoryName(keyStore.RootCertificate));
            Assert.Contains(Path.GetFileName(keyStore.RootCertificate), keyStoreSecret.StringData.Keys);

            // No KEK in the configuration secrets or the environment: they are files of a secret of their own, named by version.
            Assert.DoesNotContain(configuration.AsEnumerable(), entry => entry.Key.StartsWith("KeyStore:Keks", StringComparison.OrdinalIgnoreCase));
            var kekDirectory = silo.Literal("KeyStore__KekDirectory") ?? throw new InvalidOperationException($"{silo} sets no KeyStore__KekDirectory");
            var kekSecret = SecretMountedAt(silo, kekDirectory) ?? throw new InvalidOperationException($"{silo}: no single secret is mounted at {kekDirectory}");
            Assert.DoesNotContain(kekSecret, mounted);
            var keks = Assert.Single(overlay.ExampleSecrets, secret => secret.Metadata.Name == kekSecret);
            Assert.NotEmpty(keks.StringData);
            Assert.All(keks.StringData.Keys, version => Assert.True(
                int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0, $"{kekSecret} holds {version}, not a KEK version"));

            // The gateway mounts neither: it never opens a data key.
            Assert.DoesNotContain(Gateway(overlay).Pod.Volumes.SelectMany(SecretsOf), name => name == keyStoreSecret.Metadata.Name || name == kekSecret);
        }
    }

    [Fact]
    public void Each_region_runs_on_its_own_nodes_serves_only_its_subjects_and_joins_the_one_cluster()
    {
        var nodeRegions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var overlay in _manifests.Overlays)
        {
            var region = overlay.Region;
            var silo = Silo(overlay);
            var gateway = Gateway(overlay);
            var placements = overlay.Workloads.Select(workload => Assert.Single(Assert.Single(
                workload.Pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms).MatchExpressions)).ToList();
            Assert.All(placements, placement => Assert.Equal((RegionNodeLabel, "In"), (placement.Key, placement.OperatorProperty)));
            var nodes = Assert.Single(placements.Select(placement => Assert.Single(placement.Values)).Distinct());
            Assert.True(nodeRegions.Add(nodes), $"{region} runs on the nodes of another region ({nodes})");

            // The silo's own reading of its configuration: it serves exactly this region, from this region's database.
            var configuration = Configuration(ConfigurationValues(silo, overlay));
            var options = configuration.GetSection(RegionOptions.SectionName).Get<RegionOptions>() ?? new RegionOptions();
            var served = SiloRegions.From(configuration, options);
            Assert.True(served.Labelled, $"{silo} has no region label, so it would serve every region");
            Assert.Equal([region], served.Served);
            var databases = configuration.GetSection($"{RegionOptions.SectionName}:Databases").GetChildren().Select(child => child.Key).ToList();
            Assert.Equal([region], databases);
            Assert.NotEqual(configuration.GetConnectionString(SiloConfiguration.ConnectionStringName), configuration[$"{RegionOptions.SectionName}:Databases:{region}"]);
            Assert.Equal(region, Configuration(ConfigurationValues(gateway, overlay))[$"{RegionOptions.SectionName}:Home"]);
            Assert.Equal(region, silo.Template.Metadata.Labels["region"]);
        }

        // One Orleans cluster across the regions, under ids of its own (never Orleans' or our defaults' shared name).
        var ids = _manifests.Workloads.Select(workload => (Cluster: workload.Literal("Orleans__ClusterId"), Service: workload.Literal("Orleans__ServiceId"))).Distinct().ToList();
        var (cluster, service) = Assert.Single(ids);
        Assert.NotNull(cluster);
        Assert.NotNull(service);
        Assert.NotEqual(SiloConfiguration.DefaultClusterId, cluster);
    }

    [Fact]
    public void Ports_agree_with_the_silo_defaults_the_listeners_and_the_container_images()
    {
        var (_, siloImagePorts, _) = _manifests.ContainerSettings(SiloProject);
        var (_, gatewayImagePorts, _) = _manifests.ContainerSettings(GatewayProject);
        foreach (var overlay in _manifests.Overlays)
        {
            var silo = Silo(overlay);
            var ports = silo.Container.Ports.ToDictionary(port => port.Name, port => port.ContainerPort, StringComparer.Ordinal);
            Assert.Equal(Literal(silo, "Orleans__SiloPort", SiloConfiguration.DefaultSiloPort), ports["silo"]);
            Assert.Equal(Literal(silo, "Orleans__GatewayPort", SiloConfiguration.DefaultGatewayPort), ports["gateway"]);
            Assert.Equal(siloImagePorts.Order(), ports.Values.Order());
            Assert.All(ports.Values, port => Assert.InRange(port, 1024, 32767));

            var gateway = Gateway(overlay);
            var listening = gateway.Literal("ASPNETCORE_HTTP_PORTS")!.Split(';').Select(port => int.Parse(port, CultureInfo.InvariantCulture))
                .Append(new Uri(gateway.Literal("Management__Urls")!).Port).Order().ToList();
            Assert.Equal(gateway.Container.Ports.Select(port => port.ContainerPort).Order(), listening);
            Assert.Equal(gatewayImagePorts.Order(), listening);
            Assert.Null(gateway.Literal("ASPNETCORE_URLS"));

            foreach (var service in overlay.Of<V1Service>())
            {
                var selected = Assert.Single(overlay.Workloads, workload => Matches(new V1LabelSelector { MatchLabels = service.Spec.Selector }, workload.Template.Metadata.Labels));
                Assert.All(service.Spec.Ports, port => Assert.NotNull(Port(selected, port.TargetPort)));
                Assert.DoesNotContain(service.Spec.Ports, port => Port(selected, port.TargetPort)!.Name == ManagementPort);
            }
        }
    }

    [Fact]
    public void Prometheus_scrapes_metrics_from_every_silo_and_gateway_on_the_management_port_that_no_service_publishes()
    {
        foreach (var workload in _manifests.Workloads)
        {
            var annotations = workload.Template.Metadata.Annotations ?? new Dictionary<string, string>();
            var management = Port(workload, (IntOrString)ManagementPort);
            Assert.NotNull(management);
            Assert.Equal("true", annotations.TryGetValue("prometheus.io/scrape", out var scrape) ? scrape : null);
            Assert.Equal(management.ContainerPort.ToString(CultureInfo.InvariantCulture), annotations.TryGetValue("prometheus.io/port", out var port) ? port : null);
            Assert.Equal(PrimeDirective.Grains.Telemetry.PrimeDirectiveTelemetry.MetricsPath, annotations.TryGetValue("prometheus.io/path", out var path) ? path : null);
            Assert.Equal(new Uri(workload.Literal("Management__Urls")!).Port, management.ContainerPort);
            Assert.StartsWith("prime-directive-", workload.Literal("Telemetry__ServiceName"), StringComparison.Ordinal);
        }

        // Reachable inside the cluster only: no Service (and so no Ingress) names the management port.
        foreach (var overlay in _manifests.Overlays)
        {
            foreach (var service in overlay.Of<V1Service>())
            {
                var selected = Assert.Single(overlay.Workloads, workload => Matches(new V1LabelSelector { MatchLabels = service.Spec.Selector }, workload.Template.Metadata.Labels));
                Assert.DoesNotContain(service.Spec.Ports, port => Port(selected, port.TargetPort)!.Name == ManagementPort);
            }
        }
    }

    [Fact]
    public void The_ingress_terminates_tls_and_the_gateway_trusts_only_the_controller_network()
    {
        foreach (var overlay in _manifests.Overlays)
        {
            var ingress = Assert.Single(overlay.Of<V1Ingress>());
            var tls = Assert.Single(ingress.Spec.Tls);
            var certificate = Assert.Single(overlay.ExampleSecrets, secret => secret.Metadata.Name == tls.SecretName);
            Assert.Equal("kubernetes.io/tls", certificate.Type);
            Assert.EndsWith($"-{overlay.Region}", tls.SecretName, StringComparison.Ordinal);
            Assert.All(ingress.Spec.Rules, rule => Assert.Contains(rule.Host, tls.Hosts));
            Assert.All(ingress.Spec.Rules, rule => Assert.StartsWith($"{overlay.Region}.", rule.Host, StringComparison.Ordinal));
            var backend = Assert.Single(ingress.Spec.Rules.SelectMany(rule => rule.Http.Paths)).Backend.Service;
            var service = Assert.Single(overlay.Of<V1Service>(), service => service.Metadata.Name == backend.Name);
            Assert.Equal("gateway", service.Spec.Selector["role"]);

            // TLS ends at the Ingress, and the gateway says so (in Production it refuses plain HTTP otherwise).
            var gateway = Gateway(overlay);
            Assert.True(bool.Parse(gateway.Literal("Gateway__TlsTerminatedUpstream")!));
            Assert.Null(gateway.Literal("Kestrel__Certificates__Default__Path"));
            var (addresses, networks) = ClientAddress.ParseTrusted([gateway.Literal("Gateway__TrustedProxies__0")!]);
            Assert.Empty(addresses);
            Assert.Single(networks);
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
            var timeout = ShutdownTimeout(ConfigurationValues(workload.Env));
            Assert.Equal(TimeSpan.FromSeconds(int.Parse(setting.Value, CultureInfo.InvariantCulture)), timeout);

            // The setting must bind: with another value under the same name the host's timeout follows it (a key
            // HostOptions does not read, such as HostOptions__ShutdownTimeout, would leave the 30 s default).
            var changed = workload.Env.Select(env => env == setting ? new V1EnvVar { Name = setting.Name, Value = "4321" } : env);
            Assert.Equal(TimeSpan.FromSeconds(4321), ShutdownTimeout(ConfigurationValues(changed)));

            // The grace period covers the preStop hook and the whole shutdown, or the kubelet kills a silo mid-deactivation.
            var preStop = TimeSpan.FromSeconds(workload.Container.Lifecycle?.PreStop?.Sleep?.Seconds ?? 0);
            var grace = TimeSpan.FromSeconds(workload.Pod.TerminationGracePeriodSeconds ?? 30);
            Assert.True(preStop + timeout < grace, $"{workload}: preStop {preStop} + shutdown {timeout} does not fit in the grace period {grace}");
        }
    }

    private Workload Silo(RegionManifests overlay) => Single(overlay, SiloProject);

    private Workload Gateway(RegionManifests overlay) => Single(overlay, GatewayProject);

    private Workload Single(RegionManifests overlay, string project)
    {
        var repository = _manifests.ContainerSettings(project).Repository!;
        return Assert.Single(overlay.Workloads, workload => workload.Image.Repository.EndsWith(repository, StringComparison.Ordinal));
    }

    private static int Literal(Workload workload, string name, int fallback) =>
        workload.Literal(name) is { } configured ? int.Parse(configured, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A rule names its peers (an empty list would mean everyone) and its ports, and never the whole internet.</summary>
    private static void AssertNarrow(Workload workload, IList<V1NetworkPolicyPeer>? peers, IList<V1NetworkPolicyPort>? ports)
    {
        Assert.True(peers is { Count: > 0 }, $"{workload}: a rule without peers admits everyone");
        Assert.True(ports is { Count: > 0 }, $"{workload}: a rule without ports admits every port");
        Assert.All(peers, peer => Assert.True(peer.IpBlock is not null || peer.NamespaceSelector is not null, $"{workload}: a peer without a namespace or network"));
        Assert.DoesNotContain(peers, peer => peer.IpBlock?.Cidr is "0.0.0.0/0" or "::/0");
    }
}
