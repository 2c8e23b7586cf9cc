# Evaluates deploy/nixos/vmtest-worker.nix with nix-instantiate, against a minimal stand-in for the parts of
# nixpkgs' lib and pkgs the module uses (no nixpkgs can be fetched on the machines that run the suite). It is
# no NixOS build: it shows the module evaluates, which options it declares, the worker.yml settings it
# generates and the service it defines, so NixModuleIT can check those against the worker itself.
{ module, environmentFile ? null }:
let
  lib = {
    mkEnableOption = description: { inherit description; default = false; };
    mkOption = attrs: attrs;
    types = {
      str = "str"; strMatching = pattern: "strMatching"; package = "package"; path = "path"; ints.positive = "positive int";
      enum = values: "enum"; attrsOf = type: "attrsOf"; nullOr = type: "nullOr"; listOf = type: "listOf";
    };
    mkIf = condition: value: if condition then value else { };
    optionalAttrs = condition: value: if condition then value else { };
    hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;
    escapeShellArgs = args: builtins.concatStringsSep " " (map (a: "'" + a + "'") args);
  };
  pkgs = {
    # The generated file's JSON (which is YAML) rides in its stand-in store path, after a '#'.
    formats.yaml = _: { type = "yaml"; generate = name: value: "/nix/store/stand-in-${name}#" + builtins.toJSON value; };
    jdk17_headless = "/nix/store/stand-in-jdk";
    qemu_kvm = "/nix/store/stand-in-qemu";
  };
  host = { networking.hostName = "worker-host-1"; };
  declared = (import module { config = host; inherit lib pkgs; }).options.services.vmtest-worker;
  # every option at its declared default, except the ones a user must set
  settings = builtins.mapAttrs (name: option: option.default or null) declared // {
    enable = true;
    package = "/nix/store/stand-in-vmtest";
    bootstrapServers = "kafka-1:9092,kafka-2:9092";
    inherit environmentFile;
  };
  evaluated = import module {
    config = host // { services.vmtest-worker = settings; };
    inherit lib pkgs;
  };
  service = evaluated.config.systemd.services.vmtest-worker;
in {
  options = builtins.attrNames declared;
  assertions = map (a: { inherit (a) assertion message; }) (evaluated.config.assertions or [ ]);
  serviceConfig = service.serviceConfig;
  user = evaluated.config.users.users.vmtest;
}
