// TCP server: listens on localhost port 12345, accepts one client, prints
// what the client sent and answers "Hello from server!".
//
// Usage: tcp_server [host] [port]
// Try it with: nc localhost 12345
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

// "127.0.0.1:54012" or "[::1]:54012" for a socket address.
static void format_address(const sockaddr_storage* sa, char* out, size_t size) {
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->ss_family == AF_INET6) {
        const sockaddr_in6* in6 = (const sockaddr_in6*)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        snprintf(out, size, "[%s]:%u", ip, ntohs(in6->sin6_port));
    } else {
        const sockaddr_in* in = (const sockaddr_in*)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        snprintf(out, size, "%s:%u", ip, ntohs(in->sin_port));
    }
}

int main(int argc, char** argv) {
    const char* host = argc > 1 ? argv[1] : "localhost";
    const char* port = argc > 2 ? argv[2] : "12345";

    addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;      // IPv4 or IPv6, whatever host names
    hints.ai_socktype = SOCK_STREAM;  // TCP
    hints.ai_flags = AI_PASSIVE;      // an address to listen on
    addrinfo* addresses = NULL;
    int rc = getaddrinfo(host, port, &hints, &addresses);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rc));
        return 1;
    }

    // Listen on the first address that works.
    int server = -1;
    for (addrinfo* a = addresses; a != NULL; a = a->ai_next) {
        server = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (server < 0) {
            perror("socket");
            continue;
        }
        int yes = 1;
        setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        if (bind(server, a->ai_addr, a->ai_addrlen) < 0) {
            perror("bind");
            close(server);
            server = -1;
            continue;
        }
        break;
    }
    freeaddrinfo(addresses);
    if (server < 0) return 1;

    if (listen(server, 1) < 0) {
        perror("listen");
        close(server);
        return 1;
    }
    printf("Server listening on %s:%s\n", host, port);
    fflush(stdout);

    sockaddr_storage client_address;
    socklen_t client_length = sizeof client_address;
    int client = accept(server, (sockaddr*)&client_address, &client_length);
    if (client < 0) {
        perror("accept");
        close(server);
        return 1;
    }
    char peer[INET6_ADDRSTRLEN + 10];
    format_address(&client_address, peer, sizeof peer);
    printf("Client connected from %s\n", peer);
    fflush(stdout);

    char buffer[1024];
    ssize_t n = recv(client, buffer, sizeof buffer - 1, 0);
    if (n < 0) {
        perror("recv");
        close(client);
        close(server);
        return 1;
    }
    buffer[n] = '\0';
    // nc sends the line with its newline; print the text only.
    while (n > 0 && (buffer[n - 1] == '\n' || buffer[n - 1] == '\r')) buffer[--n] = '\0';
    printf("Received: %s\n", buffer);
    fflush(stdout);

    const char* reply = "Hello from server!";
    if (send(client, reply, strlen(reply), 0) < 0) {
        perror("send");
        close(client);
        close(server);
        return 1;
    }
    printf("Sent: %s\n", reply);
    fflush(stdout);

    close(client);
    close(server);
    return 0;
}
