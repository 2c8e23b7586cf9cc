# NixOS module for a vmtest worker host.
#
#   imports = [ ./vmtest-worker.nix ];
#   services.vmtest-worker = {
#     enable = true;
#     package = pkgs.callPackage ./vmtest-dist.nix { dist = ./cli-target; };  # vmtest-cli.jar + lib/, see there
#     bootstrapServers = "kafka-1:9092,kafka-2:9092,kafka-3:9092";
#     slots = 4;
#     # Secrets stay out of the Nix store (it is world-readable): put them in a root-only file that systemd
#     # reads at start, and refer to them as ${NAME} (in a Nix string: "\${NAME}"); the worker
#     # substitutes them when it reads its configuration.
#     environmentFile = "/run/secrets/vmtest-worker.env";   # VMTEST_KAFKA_PASSWORD=...
#     kafkaProperties = {
#       "security.protocol" = "SASL_SSL";
#       "sasl.mechanism" = "SCRAM-SHA-512";
#       "sasl.jaas.config" = "org.apache.kafka.common.security.scram.ScramLoginModule required "
#         + "username=\"worker\" password=\"\${VMTEST_KAFKA_PASSWORD}\";";
#     };
#   };
{ config, lib, pkgs, ... }:

let
  cfg = config.services.vmtest-worker;
  settingsFormat = pkgs.formats.yaml { };
  configFile = settingsFormat.generate "worker.yml" ({
    kafka = {
      bootstrapServers = cfg.bootstrapServers;
      topicPrefix = cfg.topicPrefix;
    } // lib.optionalAttrs (cfg.kafkaProperties != { }) { properties = cfg.kafkaProperties; };
    workerId = cfg.workerId;
    slots = cfg.slots;
    libvirtUri = "qemu:///system";
    accelerator = cfg.accelerator;
    imageDir = cfg.imageDir;
    workDir = "/var/lib/vmtest/worker";
  } // cfg.extraSettings);
in
{
  options.services.vmtest-worker = {
    enable = lib.mkEnableOption "the vmtest worker (runs test VMs for a vmtest cluster)";
    package = lib.mkOption {
      type = lib.types.package;
      description = "The vmtest distribution: a directory holding vmtest-cli.jar and lib/.";
    };
    bootstrapServers = lib.mkOption {
      type = lib.types.str;
      example = "kafka-1:9092,kafka-2:9092";
      description = "Kafka bootstrap servers of the vmtest cluster.";
    };
    topicPrefix = lib.mkOption { type = lib.types.str; default = "vmtest"; };
    kafkaProperties = lib.mkOption {
      type = lib.types.attrsOf lib.types.str;
      default = { };
      example = { "security.protocol" = "SASL_SSL"; "sasl.mechanism" = "SCRAM-SHA-512"; };
      description = "Passed unchanged to every Kafka client (security settings).";
    };
    workerId = lib.mkOption {
      type = lib.types.strMatching "([A-Za-z0-9][A-Za-z0-9_.]{0,39})?";
      default = "";
      description = ''
        Names this worker in heartbeats, libvirt domain names and its work directory: letters, digits, _ and .
        (no '-': a worker sweeps the domains named vmtest-<workerId>-…). Empty: the host name with every other
        character replaced by _, as the worker derives it.
      '';
    };
    slots = lib.mkOption { type = lib.types.ints.positive; default = 2; description = "Concurrent VMs."; };
    accelerator = lib.mkOption { type = lib.types.enum [ "auto" "kvm" "tcg" ]; default = "auto"; };
    imageDir = lib.mkOption {
      type = lib.types.path;
      default = "/var/lib/vmtest/images";
      description = "Where profiles' relative image paths (kernel, initrd, base disks) resolve.";
    };
    extraSettings = lib.mkOption { type = settingsFormat.type; default = { }; };
    environmentFile = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "/run/secrets/vmtest-worker.env";
      description = ''
        A file of NAME=value lines that systemd reads when the worker starts (EnvironmentFile=). Put secrets
        (SASL passwords, tokens) here and refer to them in the settings as ''${NAME}: the generated worker.yml
        lives in the world-readable Nix store, this file does not. An absolute path as a string, so that Nix
        never copies it into the store.
      '';
    };
    javaOptions = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      # as deploy/systemd/vmtest-worker.service: a small idle RSS (docs/BENCHMARKS.md, resident memory)
      default = [ "-Xms16m" "-Xmx512m" "-XX:+UseSerialGC" "-XX:MinHeapFreeRatio=10" "-XX:MaxHeapFreeRatio=30"
                  "-XX:TieredStopAtLevel=1" ];
      description = "JVM options of the worker process.";
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [{
      assertion = cfg.environmentFile == null
        || (lib.hasPrefix "/" cfg.environmentFile && !lib.hasPrefix builtins.storeDir cfg.environmentFile);
      message = "services.vmtest-worker.environmentFile must be an absolute path outside the Nix store "
        + "(the store is world-readable), given as a string";
    }];

    virtualisation.libvirtd = {
      enable = true;
      qemu.runAsRoot = true;   # libvirt re-probes QEMU on every start when its user cannot open /dev/kvm
    };

    users.users.vmtest = { isSystemUser = true; group = "vmtest"; extraGroups = [ "libvirtd" "kvm" ]; };
    users.groups.vmtest = { };

    systemd.services.vmtest-worker = {
      description = "vmtest worker";
      wantedBy = [ "multi-user.target" ];
      after = [ "network-online.target" "libvirtd.service" ];
      wants = [ "network-online.target" ];
      requires = [ "libvirtd.service" ];
      path = [ pkgs.qemu_kvm ];
      serviceConfig = {
        User = "vmtest";
        Group = "vmtest";
        SupplementaryGroups = [ "libvirtd" "kvm" ];
        ExecStart = "${pkgs.jdk17_headless}/bin/java ${lib.escapeShellArgs cfg.javaOptions} "
          + "-jar ${cfg.package}/share/vmtest/vmtest-cli.jar worker ${configFile}";
        Restart = "on-failure";
        RestartSec = 5;
        TimeoutStopSec = 60;
        StateDirectory = "vmtest vmtest/worker vmtest/images";
        NoNewPrivileges = true;
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectControlGroups = true;
        RestrictSUIDSGID = true;
        LockPersonality = true;
        RestrictAddressFamilies = [ "AF_INET" "AF_INET6" "AF_UNIX" ];
        CapabilityBoundingSet = "";
      } // lib.optionalAttrs (cfg.environmentFile != null) { EnvironmentFile = cfg.environmentFile; };
    };
  };
}
