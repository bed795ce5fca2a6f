using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using PrimeDirective.Grains.Hosting;

// A silo process: the one silo configuration, driven by appsettings, environment (PD_ prefix too) and arguments.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddEnvironmentVariables("PD_");
builder.UseOrleans(silo => silo.AddPrimeDirective(builder.Configuration));

await builder.Build().RunAsync();
