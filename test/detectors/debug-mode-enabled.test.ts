import { ruleTable } from '../support/rule-tester.js';

ruleTable('debug-mode-enabled', {
  language: 'py',
  invalid: [
    {
      name: 'Django settings.py with DEBUG on, suggestion reads it from the environment',
      path: 'mysite/settings.py',
      code: 'import os\nfrom pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\nDEBUG = True\nALLOWED_HOSTS = ["api.acme.io"]\n',
      lines: [6],
      suggestion: 'DEBUG = os.environ.get("DEBUG") == "1"',
    },
    {
      name: 'settings/production.py',
      path: 'config/settings/production.py',
      code: 'from .base import *  # noqa\n\nDEBUG = True\nALLOWED_HOSTS = ["*"]\n',
      lines: [3],
    },
    {
      name: 'a settings module recognised by its Django settings',
      path: 'acme/core.py',
      code: 'DEBUG = True\nINSTALLED_APPS = ["django.contrib.auth", "billing"]\nROOT_URLCONF = "acme.urls"\n',
      lines: [1],
    },
    {
      name: 'Flask app.run(debug=True) at module level',
      path: 'app/main.py',
      code: 'from flask import Flask\n\napp = Flask(__name__)\n\n@app.get("/health")\ndef health():\n    return {"ok": True}\n\napp.run(host="0.0.0.0", port=8000, debug=True)\n',
      lines: [9],
      severity: 'P1',
    },
    {
      name: 'app.run(debug=True) behind __main__ is a weaker finding',
      path: 'server.py',
      code: 'import os\nfrom app import create_app\n\napp = create_app()\n\nif __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=True)\n',
      lines: [7],
      severity: 'P2',
      suggestion: '    app.run(host="0.0.0.0", debug=os.environ.get("FLASK_DEBUG") == "1")',
    },
    {
      name: 'FastAPI(debug=True)',
      path: 'app/main.py',
      code: 'from fastapi import FastAPI\nfrom app.api import router\n\napp = FastAPI(title="Billing", debug=True)\napp.include_router(router)\n',
      lines: [4],
    },
    {
      name: 'Flask config written on the app',
      path: 'app/__init__.py',
      code: 'from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    app.config["DEBUG"] = True\n    return app\n',
      lines: [5],
    },
    {
      name: 'a production config class',
      path: 'app/config.py',
      code: 'class Config:\n    SQLALCHEMY_TRACK_MODIFICATIONS = False\n\nclass ProductionConfig(Config):\n    DEBUG = True\n',
      lines: [5],
    },
  ],
  valid: [
    { name: 'settings/dev.py', path: 'config/settings/dev.py', code: 'from .base import *\n\nDEBUG = True\n' },
    { name: 'local_settings.py', path: 'mysite/local_settings.py', code: 'DEBUG = True\nALLOWED_HOSTS = ["*"]\n' },
    { name: 'settings/test.py', path: 'config/settings/test.py', code: 'from .base import *\nDEBUG = True\nPASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]\n' },
    {
      name: 'DEBUG read from the environment',
      path: 'mysite/settings.py',
      code: 'import os\nDEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"\nALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "").split(",")\n',
    },
    {
      name: 'DEBUG gated by an environment check',
      path: 'mysite/settings.py',
      code: 'import os\nDEBUG = False\nif os.environ.get("ENV") == "development":\n    DEBUG = True\n',
    },
    {
      name: 'pydantic settings default, overridden by the environment',
      path: 'app/core/config.py',
      code: 'from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    DEBUG: bool = False\n    PROJECT_NAME: str = "billing"\n',
    },
    {
      name: 'settings that install the debug toolbar are development settings',
      path: 'config/settings/base_local_override.py',
      code: 'from .base import *\n\nDEBUG = True\nALLOWED_HOSTS = []\nINSTALLED_APPS += ("debug_toolbar",)\nINTERNAL_IPS = ("127.0.0.1",)\n',
    },
    {
      name: 'a development config class',
      path: 'app/config.py',
      code: 'class Config:\n    DEBUG = False\n\nclass DevelopmentConfig(Config):\n    DEBUG = True\n',
    },
    {
      name: 'a module flag in a script that is not a settings file',
      path: 'app/importers/csv_loader.py',
      code: 'DEBUG = True\n\ndef load(path):\n    if DEBUG:\n        print("loading", path)\n',
    },
    {
      name: 'app.run without debug, debug=False',
      path: 'app/main.py',
      code: 'from flask import Flask\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=False)\n',
    },
    {
      name: 'debug=True on something that is not an app',
      path: 'app/worker.py',
      code: 'import logging\nfrom app.jobs import pipeline\n\npipeline.run(debug=True)\nlogging.basicConfig(level=logging.INFO)\n',
    },
  ],
});
