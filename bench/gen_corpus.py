#!/usr/bin/env python3
"""Deterministic benchmark corpus: realistic small services in Python, JS,
TS, Rust and config, N files in all. Same seed, same bytes.

usage: gen_corpus.py OUT_DIR N_FILES
"""
import os
import random
import sys

PY = '''"""{svc} service: {name} endpoints."""
import hashlib
import logging
import os

import requests
from fastapi import APIRouter, HTTPException

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/{name}")
API_KEY = os.getenv("{upper}_API_KEY"{default})
TIMEOUT = float(os.getenv("{upper}_TIMEOUT", "5"))


def _etag(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


@router.get("/{{item_id}}")
async def get_{name}(item_id: int, db=None):
    row = await db.fetch_one("SELECT * FROM {name} WHERE id = :id", {{"id": item_id}})
    if row is None:
        raise HTTPException(status_code=404)
    return dict(row)


@router.post("/")
async def create_{name}(payload: dict, db=None):
    try:
        resp = requests.post("http://audit/{name}", json=payload, timeout=TIMEOUT)
        resp.raise_for_status()
    except requests.RequestException as exc:
        logger.warning("audit failed", extra={{"error": str(exc)}})
    secret_hash = {hashcall}
    return {{"ok": True, "etag": _etag(repr(payload).encode()), "h": secret_hash}}
'''

JS = '''const express = require('express');
const crypto = require('crypto');
const router = express.Router();
const apiKey = process.env.{upper}_API_KEY{jsdefault};

function etag(body) {{
  return crypto.createHash('sha256').update(JSON.stringify(body)).digest('hex');
}}

router.get('/{name}/:id', async (req, res, next) => {{
  try {{
    const row = await req.db.query('SELECT * FROM {name} WHERE id = $1', [req.params.id]);
    res.set('ETag', etag(row.rows[0])).json(row.rows[0]);
  }} catch (err) {{
    next(err);
  }}
}});

router.post('/{name}', async (req, res) => {{
  const digest = {jshash};
  res.status(201).json({{ ok: true, digest, keyed: Boolean(apiKey) }});
}});

module.exports = router;
'''

TS = '''import {{ Request, Response }} from "express";
import {{ createHash }} from "crypto";

export interface {cap} {{
  id: number;
  name: string;
  createdAt: Date;
}}

const secret: string = process.env.{upper}_SECRET{jsdefault};

export async function list{cap}(req: Request, res: Response): Promise<void> {{
  const limit = Math.min(Number(req.query.limit ?? 50), 100);
  const rows: {cap}[] = await (req as any).db.{name}.findMany({{ take: limit }});
  res.json(rows.map((r) => ({{ ...r, tag: createHash("sha256").update(r.name).digest("hex") }})));
}}

export function sign(body: string): string {{
  return createHash("sha256").update(body + secret).digest("hex");
}}
'''

RS = '''use axum::{{extract::Path, Json}};
use serde::{{Deserialize, Serialize}};

#[derive(Debug, Serialize, Deserialize)]
pub struct {cap} {{
    pub id: i64,
    pub name: String,
}}

pub fn api_key() -> String {{
    std::env::var("{upper}_API_KEY"){rsdefault}
}}

pub async fn get_{name}(Path(id): Path<i64>) -> Json<{cap}> {{
    let name = format!("{name}-{{id}}");
    Json({cap} {{ id, name }})
}}

pub fn digest(password: &str) -> String {{
    let d = {rshash};
    format!("{{:x}}", d)
}}
'''

DOCKERFILE = '''FROM python:3.12-slim
WORKDIR /app
COPY . /app
RUN pip install -r requirements.txt
EXPOSE 8000
CMD ["uvicorn", "main:app"]
'''

COMPOSE = '''services:
  {name}:
    build: .
    environment:
      LOG_LEVEL: info
    ports:
      - "8000:8000"
'''

WORDS = ["orders", "users", "billing", "invoices", "catalog", "search", "ledger", "payments",
         "shipping", "reviews", "carts", "sessions", "reports", "alerts", "profiles", "tokens"]


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(20261122)
    kinds = ["py"] * 40 + ["js"] * 20 + ["ts"] * 20 + ["rs"] * 14 + ["docker"] * 3 + ["compose"] * 3
    for i in range(n):
        name = f"{rng.choice(WORDS)}{i}"
        upper, cap = name.upper(), name.capitalize()
        svc = f"svc{i // 50:04d}"
        kind = rng.choice(kinds)
        bad = rng.random() < 0.1
        ctx = dict(name=name, upper=upper, cap=cap, svc=svc,
                   default=', "dev-key-123"' if bad else "",
                   jsdefault=" || 'dev-secret-1'" if bad else " ?? ''",
                   rsdefault='.unwrap_or_else(|_| "dev-key".to_string())' if bad else ".unwrap_or_default()",
                   hashcall="hashlib.md5(payload['password'].encode()).hexdigest()" if bad else "None",
                   jshash="crypto.createHash('md5').update(req.body.password).digest('hex')" if bad else "etag(req.body)",
                   rshash="md5::compute(password)" if bad else "md5::compute(b\"static\")")
        folder = os.path.join(out, svc)
        os.makedirs(folder, exist_ok=True)
        if kind == "py":
            path, text = os.path.join(folder, f"{name}.py"), PY.format(**ctx)
        elif kind == "js":
            path, text = os.path.join(folder, f"{name}.js"), JS.format(**ctx)
        elif kind == "ts":
            path, text = os.path.join(folder, f"{name}.ts"), TS.format(**ctx)
        elif kind == "rs":
            path, text = os.path.join(folder, f"{name}.rs"), RS.format(**ctx)
        elif kind == "docker":
            path, text = os.path.join(folder, f"Dockerfile.{name}"), DOCKERFILE
        else:
            path, text = os.path.join(folder, f"docker-compose.{name}.yml"), COMPOSE.format(**ctx)
        with open(path, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
