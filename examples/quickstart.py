"""threadruns quickstart: run it with `make demo` (starts the embedded server in-process).

Against any other compatible server, set OPENAI_BASE_URL and OPENAI_API_KEY and seed the
thread and assistant there instead of through `server.add_*`.
"""

from __future__ import annotations

import json

from threadruns import Client
from threadruns.server import RunsServer, Script, ToolCall


def get_weather(city: str) -> dict[str, object]:
    """A local function the assistant may call."""
    return {"city": city, "celsius": 3, "sky": "light snow"}


def main() -> None:
    with RunsServer(time_mode="realtime", tick=0.02) as server:
        server.add_assistant("asst_writer", script=Script.echo())
        server.add_assistant(
            "asst_weather",
            script=Script.call_tools(
                [ToolCall("get_weather", {"city": "Oslo"})], then=Script.reply("Here is the weather: {outputs}")
            ),
        )
        thread_id = server.add_thread(messages=["Write one line about offline testing."])
        print(f"embedded Runs server at {server.url}\n")

        with Client(api_key="sk-demo", base_url=server.url) as client:
            print("1. A streamed run, text printed as it arrives:")
            with client.runs.stream(thread_id=thread_id, assistant_id="asst_writer") as stream:
                for text in stream.text_deltas():
                    print(text, end="", flush=True)
                run = stream.final_run()
            print(f"\n   -> {run.id} {run.status}, {run.usage.total_tokens if run.usage else 0} tokens\n")

            print("2. A function-tool run, answered by the tool loop:")
            run = client.runs.create_and_run_tools(
                thread_id=thread_id, assistant_id="asst_weather", functions={"get_weather": get_weather}
            )
            reply = server.messages(thread_id)[-1]["content"][0]["text"]["value"]
            print(f"   -> {run.id} {run.status}: {reply}\n")

            print("3. create_and_poll:")
            run = client.runs.create_and_poll(
                thread_id=thread_id, assistant_id="asst_writer", metadata={"demo": "poll"}
            )
            print(f"   -> {run.id} {run.status} (metadata {json.dumps(dict(run.metadata or {}))})\n")

            for _ in range(5):  # a thread runs one run at a time, as in the API: each ends before the next
                client.runs.create_and_poll(thread_id=thread_id, assistant_id="asst_writer")
            print("4. Every run of the thread, two per page:")
            page = client.runs.list(thread_id, limit=2, order="asc")
            for number, listed in enumerate(page, start=1):
                print(f"   {number:>2}. {listed.id}  {listed.status}")
            requests = sum(1 for r in server.requests if r.method == "GET" and r.path.endswith("/runs"))
            print(f"   ({requests} list requests)")


if __name__ == "__main__":
    main()
