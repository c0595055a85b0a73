using Synaxis.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseGateway();
app.Run();

/// <summary>Visible to tests, which host the gateway through WebApplicationFactory.</summary>
public partial class Program;
