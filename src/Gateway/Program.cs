using PrimeDirective.Gateway.Hosting;

// The gateway: HTTP in front of the Orleans cluster (co-hosted silo by default, or a client; see GatewayOrleans).
// Content root is the binaries' directory (appsettings.json is there), whatever the working directory is.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddGateway();

var app = builder.Build();
app.UseGateway();
app.Run();
