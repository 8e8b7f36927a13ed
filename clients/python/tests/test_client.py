"""The Python client against a real silo (tests/silo.py), beside the command-line client."""

from __future__ import annotations

import itertools
import sys
import unittest
import uuid

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))

from orleanskb import Client, OrleansKbError  # noqa: E402
from tests.silo import API_KEY, MAX_SOLUTIONS, ROOT, Silo  # noqa: E402

ROYAL92 = ROOT / "samples/aunt-kg/royal92.metta"
MOTHERS = ("(, (Relations $f (Wife $m)) (Relations $f (Children $i $c)))", "(mother $m $c)")


class ClientTests(unittest.TestCase):
    silo: Silo
    client: Client

    @classmethod
    def setUpClass(cls) -> None:
        cls.silo = Silo()
        cls.client = Client(cls.silo.url, api_key=API_KEY)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.silo.stop()

    def space(self):
        return self.client.space(f"py-{uuid.uuid4().hex[:12]}")

    def test_a_load_then_match_and_export_equal_what_the_command_line_gives(self):
        space = self.space()
        loaded = space.load(ROYAL92)
        self.assertEqual(53_442, loaded["atoms_read"])
        self.assertEqual(space.count(), loaded["space_atoms"])

        mothers = sorted(space.match(*MOTHERS))
        self.assertEqual(sorted(self.silo.cli("--space", space.name, "match", *MOTHERS).splitlines()), mothers)
        self.assertGreater(len(mothers), 1000)
        self.assertEqual(len(mothers), space.match_count(MOTHERS[0]))

        exported = list(space.export())
        self.assertEqual(self.silo.cli("--space", space.name, "export").splitlines(), exported)
        self.assertEqual(space.count(), len(exported))

    def test_a_space_loaded_into_partitions_lists_them_and_answers_as_one(self):
        space, whole = self.space(), self.space()
        loaded = space.load(ROYAL92, partitions=3)
        whole.load(ROYAL92)
        partitions = space.info()["partitions"]
        self.assertEqual(3, len(partitions))
        self.assertEqual(loaded["space_atoms"], sum(p["atoms"] for p in partitions))
        self.assertEqual(["", partitions[0]["hi"], partitions[1]["hi"]], [p["lo"] for p in partitions])
        self.assertEqual(sorted(whole.match(*MOTHERS)), sorted(space.match(*MOTHERS)))
        self.assertEqual(list(whole.export()), list(space.export()))

        moved = space.repartition(5)
        self.assertEqual((5, loaded["space_atoms"]), (moved["partitions"], moved["atoms_moved"]))
        self.assertEqual(5, len(space.info()["partitions"]))
        self.assertEqual(list(whole.export()), list(space.export()))
        with self.assertRaises(OrleansKbError) as empty:
            self.space().repartition(2)
        self.assertEqual(400, empty.exception.status)

    def test_add_remove_count_and_rules(self):
        space = self.space()
        self.assertEqual(3, space.add(["(parent Tom Bob)", "(parent Bob Liz)", "(= (grand $x) (parent $x $y))"]))
        self.assertEqual(0, space.add("(parent Tom Bob)"))
        self.assertEqual(["(= (grand $x0) (parent $x0 $x1))"], list(space.rules("grand", 1)))
        self.assertEqual(1, space.remove("(parent Tom Bob) (parent Nobody Here)"))
        self.assertEqual(2, space.count())
        self.assertEqual(["Bob"], list(space.match("(parent $p Liz)", "$p")))
        space.clear()
        self.assertEqual(0, space.count())

    def test_symbols_that_are_not_words_are_written_and_printed_quoted(self):
        space = self.space()
        self.assertEqual(2, space.add(['(address Ann #"PO Box 495, Springville")', '(code #"007" #"f\\xFF")']))
        self.assertEqual(['#"PO Box 495, Springville"'], list(space.match("(address Ann $a)", "$a")))
        self.assertEqual(["Ann"], list(space.match('(address $who #"PO Box 495, Springville")', "$who")))
        self.assertEqual(['(code #"007" #"f\\xFF")'], list(space.match("(code $x $y)", "(code $x $y)")))

    def test_a_transform_derives_in_the_silo_what_the_command_line_derives(self):
        space, into, by_cli = self.space(), self.space(), self.space()
        space.load(ROYAL92)
        summary = space.transform(*MOTHERS, into=into.name)
        self.assertEqual(space.match_count(MOTHERS[0]), summary["solutions"])
        self.assertEqual(into.count(), summary["added"])
        self.assertEqual((1, None), (summary["rounds"], summary["stopped"]))
        self.silo.cli("--space", space.name, "transform", *MOTHERS, "--into", by_cli.name)
        self.assertEqual(list(by_cli.export()), list(into.export()))

        chain = self.space()
        chain.add(["(edge 1 2)", "(edge 2 3)", "(edge 3 4)", "(path 1 2)", "(path 2 3)", "(path 3 4)"])
        reports = []
        closure = chain.transform("(, (edge $x $y) (path $y $z))", "(path $x $z)", fixpoint=True, progress=reports.append)
        self.assertEqual((3, 3), (closure["added"], closure["rounds"]))
        self.assertEqual(6, chain.match_count("(path $x $y)"))
        with self.assertRaises(OrleansKbError) as unbound:
            chain.transform("(edge $x $y)", "(path $x $nowhere)")
        self.assertEqual(400, unbound.exception.status)
        self.assertIn("$nowhere", unbound.exception.detail)

    def test_a_match_stopped_early_gives_what_was_asked_and_closes(self):
        space = self.space()
        space.add(f"(n {i})" for i in range(5000))
        first = list(itertools.islice(space.match("(n $i)", "$i"), 3))
        self.assertEqual(3, len(first))
        self.assertEqual(10, len(list(space.match("(n $i)", "$i", limit=10))))

    def test_a_match_the_silo_stops_part_way_raises_after_the_results_it_gave(self):
        space = self.space()
        space.load(ROOT / "samples/aunt-kg/royal92_simple.metta")
        received = []
        with self.assertRaises(OrleansKbError) as raised:
            for result in space.match("(, (parent $a $b) (parent $c $d) (female $e))", "$e"):
                received.append(result)
        self.assertEqual("interrupted", raised.exception.title)
        self.assertTrue(0 < len(received) <= MAX_SOLUTIONS, len(received))

    def test_errors_are_problems_with_the_command_lines_message_and_change_nothing(self):
        space = self.space()
        space.add("(kept 1)")
        with self.assertRaises(OrleansKbError) as raised:
            space.add("(parent a b)\n(parent c")
        self.assertEqual(400, raised.exception.status)
        self.assertEqual(2, raised.exception.problem["line"])
        self.assertIn("request body:2:1", raised.exception.detail)
        with self.assertRaises(OrleansKbError) as refused:
            Client(self.silo.url, api_key="wrong").space(space.name).count()
        self.assertEqual(401, refused.exception.status)
        self.assertEqual(1, space.count())

    def test_health(self):
        self.assertTrue(self.client.healthy())


if __name__ == "__main__":
    unittest.main()
