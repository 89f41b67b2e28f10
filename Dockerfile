# One image for every role of a Serve cluster (see docker-compose.yml):
#   /app/samples  the gateway silo with the samples: ServeHost (HTTP gateway + admin API + Orleans silo), `dotnet Serve.Samples.dll`
#   /app/gateway  the bare gateway silo: `dotnet Serve.Gateway.dll` (deploy with `serve deploy` against its admin API)
#   /app/silo     the worker silo: `dotnet Serve.Silo.dll`, loading deployment assemblies from Serve__Assemblies__N
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project files alone, so this layer is reused until a project file or a package version changes.
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY Serve.Abstractions/Serve.Abstractions.csproj Serve.Abstractions/
COPY Serve.Http/Serve.Http.csproj Serve.Http/
COPY Serve.Client/Serve.Client.csproj Serve.Client/
COPY Serve.Silo/Serve.Silo.csproj Serve.Silo/
COPY Serve.Gateway/Serve.Gateway.csproj Serve.Gateway/
COPY Serve.Samples/Serve.Samples.csproj Serve.Samples/
# The samples reference the gateway, which references the silo, the client and the abstractions: one restore covers all.
RUN dotnet restore Serve.Samples/Serve.Samples.csproj
COPY . .
RUN dotnet publish Serve.Samples/Serve.Samples.csproj -c Release --no-restore -o /app/samples \
 && dotnet publish Serve.Gateway/Serve.Gateway.csproj -c Release --no-restore -o /app/gateway \
 && dotnet publish Serve.Silo/Serve.Silo.csproj -c Release --no-restore -o /app/silo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app /app
# Not root: the image's own unprivileged user (APP_UID). Serve's ports (8000, 8265, 11111, 30000) need no privilege.
USER $APP_UID
# Every role reads Serve__Cluster__* from the environment; the default (Embedded) is one process.
ENTRYPOINT ["dotnet"]
CMD ["/app/samples/Serve.Samples.dll"]
